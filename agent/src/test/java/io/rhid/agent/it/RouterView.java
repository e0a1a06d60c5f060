package io.rhid.agent.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ground truth of the lab: what the router's BIRD learned and what it installed in the router
 * namespace's kernel table, and waits for changes there. Route waits are event-driven through a
 * {@link RouteWatch} on the router namespace, started on first use and closed with the lab.
 * Used from the test thread; {@link #close} may also run from the lab's shutdown hook.
 */
public final class RouterView implements AutoCloseable {

    private static final Pattern KERNEL_DST = Pattern.compile("\"dst\":\"([^\"]+)\"");
    /** How often a route wait also reads the table, in case the watcher lost a burst of events. */
    private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LabCommands.Tools tools;
    private final String netns;
    private final BirdDaemon bird;
    private final Supplier<String> diagnostics;
    private RouteWatch watch; // guarded by this
    private boolean closed; // guarded by this

    RouterView(LabCommands.Tools tools, String netns, BirdDaemon bird, Supplier<String> diagnostics) {
        this.tools = tools;
        this.netns = netns;
        this.bird = bird;
        this.diagnostics = diagnostics;
    }

    /** The router namespace's route event stream, started on first use. */
    public synchronized RouteWatch watch() {
        if (closed) {
            throw new IllegalStateException("router " + netns + " is closed");
        }
        if (watch == null) {
            try {
                watch = new RouteWatch(netns);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot watch routes in " + netns, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted starting the route watch", e);
            }
        }
        return watch;
    }

    /** The prefixes BIRD installed in the router's kernel table (both families), canonical. */
    public Set<String> kernelRoutes() {
        Set<String> routes = new TreeSet<>(kernelRoutes(false));
        routes.addAll(kernelRoutes(true));
        return routes;
    }

    Set<String> kernelRoutes(boolean v6) {
        List<String> command = new ArrayList<>(List.of(tools.ip().toString()));
        if (v6) {
            command.add("-6");
        }
        command.addAll(List.of("-j", "-n", netns, "route", "show", "proto", "bird"));
        NetnsLab.CommandResult r = LabCommands.exec(command, LabCommands.COMMAND_TIMEOUT);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + r.output());
        }
        Set<String> routes = new TreeSet<>();
        Matcher m = KERNEL_DST.matcher(r.output());
        while (m.find()) {
            routes.add(normalizePrefix(m.group(1), v6));
        }
        return routes;
    }

    /** {@code ip} prints host routes without their length and the default route as "default". */
    static String normalizePrefix(String dst, boolean v6) {
        if (dst.equals("default")) {
            return v6 ? "::/0" : "0.0.0.0/0";
        }
        String p = dst.toLowerCase(Locale.ROOT);
        return p.contains("/") ? p : p + (v6 ? "/128" : "/32");
    }

    /**
     * Waits until {@code prefix} is present in (or absent from) the kernel table, for at most
     * {@link Patience#of} the timeout; returns the time since {@code sinceNanos} (a
     * {@link System#nanoTime()} reading) at which the kernel announced the change.
     */
    public Duration awaitRoute(String prefix, boolean present, Duration timeout, long sinceNanos) {
        return awaitRoutes(List.of(prefix), present, timeout, sinceNanos);
    }

    /**
     * Waits until every one of {@code prefixes} is present in (or absent from) the kernel table,
     * for at most {@link Patience#of} the timeout; returns the time since {@code sinceNanos} at
     * which the kernel announced the change that completed the set (or now, if it held at the
     * start). Event-driven: the table is read once after taking a mark in the route event stream,
     * then every event from the mark on updates the state, so no change is missed between the two
     * and no poll delays the answer. The table is read again every second, in case the watcher
     * lost a burst of notifications.
     */
    public Duration awaitRoutes(java.util.Collection<String> prefixes, boolean present, Duration timeout,
                                long sinceNanos) {
        Set<String> wanted = new TreeSet<>();
        for (String p : prefixes) {
            wanted.add(normalizePrefix(p, p.contains(":")));
        }
        RouteWatch events = watch();
        long deadline = Patience.deadline(timeout);
        try {
            while (true) {
                int next = events.mark();
                Set<String> pending = pending(wanted, kernelRoutes(), present);
                if (pending.isEmpty()) {
                    return Duration.ofNanos(Math.max(0, System.nanoTime() - sinceNanos));
                }
                long recheck = Math.min(deadline, System.nanoTime() + RECHECK_NANOS);
                while (System.nanoTime() - recheck < 0) {
                    List<RouteWatch.Event> batch = events.eventsFrom(next, recheck);
                    next += batch.size();
                    for (RouteWatch.Event e : batch) {
                        String dst = normalizePrefix(e.destination(), e.destination().contains(":"));
                        if (!wanted.contains(dst)) {
                            continue;
                        }
                        if (e.deleted() != present) {
                            pending.remove(dst);
                        } else {
                            pending.add(dst); // changed back: wait for it again
                        }
                        if (pending.isEmpty()) {
                            return Duration.ofNanos(Math.max(0, e.nanos() - sinceNanos));
                        }
                    }
                }
                if (System.nanoTime() - deadline >= 0) {
                    Set<String> table = kernelRoutes();
                    Set<String> left = pending(wanted, table, present);
                    if (left.isEmpty()) {
                        return Duration.ofNanos(System.nanoTime() - sinceNanos);
                    }
                    throw new AssertionError(left.size() + " of " + wanted.size() + " routes, e.g. " + left.iterator().next()
                            + (present ? ", did not appear in " : ", did not leave ") + "router " + netns
                            + "'s kernel table within " + Patience.of(timeout) + "\nrouter kernel routes: " + table
                            + (events.complaints().isEmpty() ? "" : "\nroute watcher: " + events.complaints())
                            + diagnostics.get());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for routes " + wanted, e);
        }
    }

    /** Those of {@code wanted} whose presence in {@code table} is not yet {@code present}. */
    private static Set<String> pending(Set<String> wanted, Set<String> table, boolean present) {
        Set<String> out = new TreeSet<>();
        for (String w : wanted) {
            if (table.contains(w) != present) {
                out.add(w);
            }
        }
        return out;
    }

    /** What the router's BIRD learned for exactly {@code prefix} (the best route), or empty. */
    public Optional<NetnsLab.RouterRoute> routeDetails(String prefix) {
        String wanted = normalizePrefix(prefix, prefix.contains(":"));
        NetnsLab.CommandResult r = bird.birdc("show", "route", wanted, "all");
        // birdc exits 1 with "Network not found" (reply code 8001) when there is no such route.
        if (r.exitCode() != 0 && r.output().contains("Network not found")) {
            return Optional.empty();
        }
        if (r.exitCode() != 0) {
            throw new IllegalStateException("router birdc show route " + wanted + " all failed: " + r.output());
        }
        return NetnsLab.RouterRoute.parse(wanted, r.output());
    }

    /** Waits until the router's BGP protocol {@code protocol} is Established; returns how long it took. */
    public Duration waitForSession(String protocol, Duration timeout, String peer) {
        long start = System.nanoTime();
        NetnsLab.CommandResult[] last = new NetnsLab.CommandResult[1];
        Patience.until(timeout, Duration.ofMillis(50), () -> {
            last[0] = bird.birdc("show", "protocols", protocol);
            return last[0].exitCode() == 0 && last[0].output().contains("Established") ? Optional.of(true) : Optional.empty();
        }, () -> "BGP session " + peer + " <-> " + netns + " not Established\nrouter> show protocols " + protocol
                + "\n" + (last[0] == null ? "" : last[0].output()) + diagnostics.get());
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watch != null) {
            watch.close();
        }
    }
}
