package io.rhid.agent.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Watches a namespace's kernel routing table through netlink route notifications: every route
 * event is stamped with {@link System#nanoTime()} the moment its line arrives, so tests and
 * benchmarks see when the router's kernel learned of a change instead of polling for it. The
 * listener is {@code it/routewatch.py} (what {@code ip monitor route} prints, but with a receive
 * buffer large enough for bursts of thousands of routes, which overflow ip monitor's).
 */
public final class RouteWatch implements AutoCloseable {

    /** One route event: {@code deleted} or added, the destination as ip prints it, and when. */
    public record Event(long nanos, boolean deleted, String destination) {
    }

    private final Process process;
    private final Thread reader;
    private final List<Event> events = new ArrayList<>();
    private final List<String> other = new ArrayList<>();
    private boolean ready;

    public RouteWatch(String netns) throws IOException, InterruptedException {
        Path script = Files.createTempFile("routewatch", ".py");
        try (var in = RouteWatch.class.getResourceAsStream("/it/routewatch.py")) {
            Files.write(script, in.readAllBytes());
        }
        script.toFile().deleteOnExit();
        process = new ProcessBuilder("ip", "netns", "exec", netns, "python3", "-u", script.toString())
                .redirectErrorStream(true).start();
        reader = new Thread(this::read, "route-watch-" + netns);
        reader.setDaemon(true);
        reader.start();
        synchronized (events) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!ready && System.nanoTime() < deadline) {
                events.wait(100);
            }
        }
        if (!ready) {
            throw new IOException("the route watcher did not start: " + other);
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                if (line.equals("ready")) {
                    synchronized (events) {
                        ready = true;
                        events.notifyAll();
                    }
                    continue;
                }
                if (line.contains("error") || line.contains("Traceback") || line.contains("No buffer space")) {
                    synchronized (events) {
                        other.add(line);
                    }
                    continue;
                }
                boolean deleted = line.startsWith("Deleted ");
                String rest = deleted ? line.substring("Deleted ".length()) : line;
                String[] words = rest.trim().split("\\s+");
                String dst = words.length > 0 && (words[0].equals("blackhole") || words[0].equals("unreachable")) && words.length > 1
                        ? words[1] : words[0];
                synchronized (events) {
                    events.add(new Event(now, deleted, dst));
                    events.notifyAll();
                }
            }
        } catch (IOException e) {
            // the watch was closed
        }
    }

    /** Forgets every event so far. */
    public void clear() {
        synchronized (events) {
            events.clear();
        }
    }

    /**
     * The time of the first event for {@code destination} (as ip prints it: {@code 198.51.100.53},
     * {@code 2001:db8::53}, {@code 203.0.113.0/24}) of the given kind, waiting up to {@code timeout}.
     */
    public long await(String destination, boolean deleted, Duration timeout) throws InterruptedException {
        long deadline = Patience.deadline(timeout);
        synchronized (events) {
            while (true) {
                for (Event e : events) {
                    if (e.deleted() == deleted && e.destination().equals(destination)) {
                        return e.nanos();
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + (deleted ? "deletion" : "addition") + " of " + destination
                            + " seen within " + timeout + "; events: " + events);
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
    }

    /**
     * Waits until an event of the given kind has been seen for every one of {@code destinations}
     * (as ip prints them); returns the time of the last of them.
     */
    public long awaitAll(java.util.Collection<String> destinations, boolean deleted, Duration timeout) throws InterruptedException {
        java.util.Set<String> pending = new java.util.HashSet<>(destinations);
        long last = 0;
        int seen = 0;
        long deadline = Patience.deadline(timeout);
        synchronized (events) {
            while (true) {
                for (; seen < events.size(); seen++) {
                    Event e = events.get(seen);
                    if (e.deleted() == deleted && pending.remove(e.destination())) {
                        last = e.nanos();
                    }
                }
                if (pending.isEmpty()) {
                    return last;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(pending.size() + " of " + destinations.size() + " destinations saw no "
                            + (deleted ? "deletion" : "addition") + " within " + timeout + ", e.g. " + pending.iterator().next()
                            + (other.isEmpty() ? "" : "; the watcher said: " + other));
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
    }

    /** How many events have been seen so far: a mark for {@link #awaitFrom}. */
    public int mark() {
        synchronized (events) {
            return events.size();
        }
    }

    /**
     * The first event at or after {@code mark} that {@code wanted} accepts, waiting until
     * {@code untilNanos} (a {@link System#nanoTime()} deadline the caller stretched already);
     * empty if none arrived by then.
     */
    public java.util.Optional<Event> awaitFrom(int mark, java.util.function.Predicate<Event> wanted, long untilNanos)
            throws InterruptedException {
        synchronized (events) {
            for (int i = mark; ; ) {
                for (; i < events.size(); i++) {
                    if (wanted.test(events.get(i))) {
                        return java.util.Optional.of(events.get(i));
                    }
                }
                long left = untilNanos - System.nanoTime();
                if (left <= 0) {
                    return java.util.Optional.empty();
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
    }

    /**
     * The events from index {@code from} on, waiting until {@code untilNanos} (a
     * {@link System#nanoTime()} deadline the caller stretched already) for at least one; empty if
     * none arrived by then.
     */
    public List<Event> eventsFrom(int from, long untilNanos) throws InterruptedException {
        synchronized (events) {
            while (events.size() <= from) {
                long left = untilNanos - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
            return List.copyOf(events.subList(from, events.size()));
        }
    }

    /** What the watcher printed besides route events (errors such as a lost burst), for failure messages. */
    public List<String> complaints() {
        synchronized (events) {
            return List.copyOf(other);
        }
    }

    /** All events of one kind seen so far. */
    public List<Event> events(boolean deleted) {
        synchronized (events) {
            return events.stream().filter(e -> e.deleted() == deleted).toList();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
