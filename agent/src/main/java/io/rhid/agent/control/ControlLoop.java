package io.rhid.agent.control;

import static java.util.stream.Collectors.joining;

import io.rhid.agent.address.LoopbackApplier;
import io.rhid.agent.config.CheckConfig;
import io.rhid.agent.config.ConfigException;
import io.rhid.agent.config.Durations;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.agent.health.RiseFall;
import io.rhid.agent.health.ServiceState;
import io.rhid.agent.log.LogFields;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.plan.Planner;
import io.rhid.agent.router.AppliedRecord;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.Drift;
import io.rhid.agent.router.ExportQuery;
import io.rhid.agent.router.RouterApplier;
import io.rhid.agent.router.Withdrawal;
import io.rhid.agent.schedule.CheckKey;
import io.rhid.agent.schedule.CheckUpdate;
import io.rhid.agent.schedule.ProbeScheduler;
import io.rhid.agent.status.Metrics;
import io.rhid.agent.status.StatusSnapshot;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single thread that owns rhid's mutable state. Probe outcomes and commands arrive through one
 * queue; each turn of the loop takes everything queued, updates check and service health, plans
 * the desired state and, if it differs from what was applied, applies it: addresses first, then
 * the routing daemon, then address removals. Outcomes that arrive together (a correlated failure
 * of many services) are therefore applied as one change, and a lone change is applied at once.
 *
 * <p>Every {@code reconcile_interval} it also compares the daemon and the interface with what it
 * applied and repairs drift. A failed apply keeps the last good state and is retried with backoff.
 *
 * <p>Threading: {@link #submit}, {@link #snapshot()} and {@link #awaitStopped} may be called from
 * any thread; everything else runs on the loop's thread.
 */
public final class ControlLoop implements Runnable, Operations {

    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final Duration HOOK_TIMEOUT = Duration.ofSeconds(10);
    /**
     * After an apply, the daemon is asked again this much later: a peer gets an UPDATE only after
     * the daemon's own delays (bgpd's ~50 ms queue hold, its ~1 s coalesce after a session starts).
     */
    private static final Duration EXPORT_SETTLE = Duration.ofSeconds(2);

    /** Something for the loop to handle. */
    public sealed interface Event permits ProbeEvent, Stop, Command {
    }

    /** An operator's request; {@code reply} completes once it has been handled and applied. */
    public record Command(Kind kind, List<String> services, boolean all, CompletableFuture<Reply> reply) implements Event {
        public enum Kind { DRAIN, RESUME, RECHECK, RELOAD }
    }

    /** Reads the config file again, for reloads. */
    @FunctionalInterface
    public interface ConfigSource {
        RhidConfig load() throws ConfigException;
    }

    /** A probe run finished. */
    public record ProbeEvent(CheckUpdate update) implements Event {
    }

    /** Withdraw everything rhid announced and end the loop. */
    public record Stop() implements Event {
    }

    /**
     * A service's health-driven state, since when, and why. A reason that counts down (a hold, a
     * delay, a drain) holds {@link #REMAINING} where the time left goes, and {@code untilNanos}
     * says until when: it is filled in when shown, so it never goes stale.
     */
    private record ServiceStatus(ServiceState state, long sinceMillis, String reason, long untilNanos) {
        ServiceStatus(ServiceState state, long sinceMillis, String reason) {
            this(state, sinceMillis, reason, 0);
        }

        String reasonAt(long nowNanos) {
            return untilNanos == 0 ? reason
                    : reason.replace(REMAINING, Durations.human(Duration.ofNanos(Math.max(0, untilNanos - nowNanos))));
        }
    }

    private static final String REMAINING = "\u0000remaining\u0000";

    private final BlockingQueue<Event> inbox = new LinkedBlockingQueue<>();
    private final Environment env;
    private final ProbeTypes types;
    private final RouterApplier router;
    private final LoopbackApplier loopback;
    private final Metrics metrics;
    private final ProbeScheduler scheduler;
    private final ConfigSource source;
    private final Drains drains;
    private final Hooks hooks = new Hooks(HOOK_TIMEOUT);
    private final String version;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** How the stop path waits between withdrawal attempts; tests advance their clock instead. */
    private Withdrawal.Pause pause = Withdrawal.Pause.SLEEP;
    /** Whether the daemon confirmed, on stop, that nothing of rhid's is announced. */
    private volatile boolean withdrawnOnStop;
    /** The record last written to the state dir, so an unchanged one is not written again. */
    private AppliedRecord record;
    private String recordError;
    private final ExportWatch exports;
    /** When to ask the daemon again what it exports after an apply; 0: not planned. */
    private long exportsAgainNanos;

    // Written only by the loop's thread; volatile or concurrent where snapshot() reads them.
    private volatile RhidConfig config;
    private final Map<CheckKey, CheckUpdate> lastUpdates = new ConcurrentHashMap<>();
    /** Each check's last failed result: why a check that is down and rising again went down. */
    private final Map<CheckKey, CheckUpdate> lastFailures = new HashMap<>();
    private final Map<String, ServiceStatus> services = new ConcurrentHashMap<>();
    private volatile DesiredState applied;
    private volatile StatusSnapshot.Router routerStatus;
    private DesiredState lastFailed;
    private long retryAtNanos;
    private int failures;
    private long nextReconcileNanos;
    private boolean stopping;
    /** Services whose checks changed in a reload: their state holds until the new checks are ready. */
    private final Set<String> reloadHold = new HashSet<>();
    /** Transitions since the last successful apply, whose on_change hooks run after it. */
    private final List<Runnable> pendingHooks = new ArrayList<>();
    /** Per service, when its recent health-driven state changes happened (flap damping). */
    private final Map<String, java.util.ArrayDeque<Long>> changes = new HashMap<>();
    /** Services held withdrawn by flap damping, until when. */
    private final Map<String, Long> heldUntil = new HashMap<>();
    /** Nothing is announced before this time: start plus startup_delay. */
    private long announceFromNanos;
    private boolean startupDelayOver;
    private volatile Heartbeat heartbeat = Heartbeat.NONE;

    public ControlLoop(RhidConfig config, ConfigSource source, ProbeTypes types, Environment env, RouterApplier router,
                       LoopbackApplier loopback, Metrics metrics, String version) {
        this(config, source, types, env, router, loopback, metrics, version, ExportQuery.NONE, Runnable::run);
    }

    /**
     * @param exportQuery asks the routing daemon what it exports, after every apply and every
     *                    {@code reconcile_interval}
     * @param exportRunner where those questions run, so the loop never waits for them
     */
    public ControlLoop(RhidConfig config, ConfigSource source, ProbeTypes types, Environment env, RouterApplier router,
                       LoopbackApplier loopback, Metrics metrics, String version, ExportQuery exportQuery,
                       Executor exportRunner) {
        this.config = config;
        this.source = source;
        this.drains = new Drains(config.stateDir());
        this.types = types;
        this.env = env;
        this.router = router;
        this.loopback = loopback;
        this.metrics = metrics;
        this.version = version;
        this.scheduler = new ProbeScheduler(env.timer(), env.probeRunner(), env.ticker(), env.wallMillis(), env.random(),
                update -> submit(new ProbeEvent(update)));
        this.routerStatus = new StatusSnapshot.Router(router.daemon(), "pending", 0, 0, null, 0, 0);
        this.exports = new ExportWatch(exportQuery, exportRunner, env.ticker(), env.wallMillis(), this::configuredPrefixes,
                () -> {
                    DesiredState a = applied;
                    return a == null ? Set.of() : a.announcements().keySet();
                });
    }

    /** Whom to tell that the loop is ready and alive; set before {@link #run()}. */
    public void heartbeat(Heartbeat heartbeat) {
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    }

    /** Queues an event for the loop; never blocks. */
    public void submit(Event event) {
        inbox.add(event);
    }

    @Override
    public void run() {
        try {
            start();
            while (turn(Long.MAX_VALUE)) {
                // each turn handles what arrived and applies the result
            }
        } catch (RuntimeException | Error e) {
            log.error("control loop failed; withdrawing everything before exiting", e);
            stopping = true;
            withdrawAll();
            throw e;
        } finally {
            hooks.close();
            exports.close();
            stopped.countDown();
        }
    }

    /** Replaces how the stop path waits between withdrawal attempts (tests). */
    void pauseWith(Withdrawal.Pause pause) {
        this.pause = pause;
    }

    /** Whether the routing daemon confirmed the withdrawal on stop; meaningful once the loop has ended. */
    public boolean withdrawnOnStop() {
        return withdrawnOnStop;
    }

    /** Waits until the loop has withdrawn and ended; false if {@code timeout} passed first. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Starts every check and applies the all-down state once, clearing leftovers of an earlier run. */
    void start() {
        announceFromNanos = env.ticker().nanos() + config.safety().startupDelay().toNanos();
        startupDelayOver = config.safety().startupDelay().isZero();
        long now = env.wallMillis().getAsLong();
        metrics.set("rhid_start_time_seconds", now / 1000.0);
        metrics.set("rhid_config_last_reload_success_timestamp_seconds", now / 1000.0);
        drains.load(config.services().keySet(), now);
        for (ServiceConfig s : config.services().values()) {
            services.put(s.name(), new ServiceStatus(ServiceState.DOWN, now, "starting: no check results yet"));
            for (CheckConfig c : s.checks()) {
                startCheck(s, c);
            }
        }
        log.info("started: {}, {}, daemon {}", counted(config.services().size(), "service"),
                counted(config.services().values().stream().mapToInt(s -> s.checks().size()).sum(), "check"), router.daemon());
        for (String drained : drains.names()) {
            evaluate(drained);
        }
        // Apply once even though nothing is announced yet: this withdraws whatever a crashed
        // earlier instance left announced and adds the addresses services may bind to.
        converge(plan());
        if (record == null) {
            // The apply failed (a successful one records itself). Still record this run's daemon,
            // file and protocols before anything is announced, for withdraw-all.
            writeRecord(new TreeSet<>());
        }
        nextReconcileNanos = env.ticker().nanos() + config.router().reconcileInterval().toNanos();
        heartbeat.ready();
    }

    /**
     * One turn: waits up to {@code maxWaitNanos} (less if a retry or reconcile is due) for events,
     * handles everything queued, then applies and reconciles as needed.
     *
     * @return false once the loop has stopped
     */
    boolean turn(long maxWaitNanos) {
        long now = env.ticker().nanos();
        long deadline = Math.min(nextReconcileNanos, drains.nextHoldEnd());
        for (long until : heldUntil.values()) {
            deadline = Math.min(deadline, until);
        }
        if (!startupDelayOver) {
            deadline = Math.min(deadline, announceFromNanos);
        }
        if (lastFailed != null) {
            deadline = Math.min(deadline, retryAtNanos);
        }
        if (exportsAgainNanos != 0) {
            deadline = Math.min(deadline, exportsAgainNanos);
        }
        long wait = Math.max(0, Math.min(Math.min(maxWaitNanos, heartbeat.maxWaitNanos()), deadline - now));
        List<Event> batch = new ArrayList<>();
        try {
            Event first = wait == 0 ? inbox.poll() : inbox.poll(wait, TimeUnit.NANOSECONDS);
            if (first != null) {
                batch.add(first);
                inbox.drainTo(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            batch.add(new Stop());
        }
        Set<String> dirty = new TreeSet<>();
        List<Runnable> replies = new ArrayList<>();
        for (Event e : batch) {
            if (e instanceof ProbeEvent p) {
                onProbe(p.update(), dirty);
            } else if (e instanceof Command c) {
                replies.add(handle(c, dirty));
            } else if (e instanceof Stop) {
                stopping = true;
            }
        }
        if (stopping) {
            scheduler.close();
            withdrawAll();
            replies.forEach(Runnable::run);
            return false;
        }
        now = env.ticker().nanos();
        for (String name : drains.names()) {
            Drains.Drain d = drains.get(name);
            if (!d.done() && now >= d.holdEndsNanos()) {
                dirty.add(name);
            }
        }
        for (Map.Entry<String, Long> held : heldUntil.entrySet()) {
            if (now >= held.getValue()) {
                dirty.add(held.getKey());
            }
        }
        if (!startupDelayOver && now >= announceFromNanos) {
            startupDelayOver = true;
            log.info("startup_delay over: services are announced as their health allows");
            dirty.addAll(config.services().keySet());
        }
        for (String s : dirty) {
            evaluate(s);
        }
        boolean retryDue = lastFailed != null && now >= retryAtNanos;
        if (!dirty.isEmpty() || retryDue) {
            DesiredState desired = plan();
            boolean changed = !desired.equals(applied);
            if (changed && (retryDue || !desired.equals(lastFailed))) {
                converge(desired);
            } else if (retryDue) {
                // A failed drift check or drift repair: nothing changed, but the daemon still has
                // to be brought in line. Without this the retry never runs, lastFailed stays set
                // (no more drift checks, the error stays in /status) and the past retry time
                // makes every turn return at once: the loop spins.
                converge(desired, true);
            }
        }
        if (lastFailed == null) {
            runPendingHooks(); // transitions that needed no change to the router are applied too
        }
        if (now >= nextReconcileNanos) {
            nextReconcileNanos = now + config.router().reconcileInterval().toNanos();
            reconcile();
            exports.refresh();
        } else if (exportsAgainNanos != 0 && now >= exportsAgainNanos) {
            exportsAgainNanos = 0;
            exports.refresh();
        }
        replies.forEach(Runnable::run);
        heartbeat.alive();
        return true;
    }

    private void runPendingHooks() {
        pendingHooks.forEach(Runnable::run);
        pendingHooks.clear();
    }

    // ---- operator commands -------------------------------------------------------------------

    @Override
    public CompletableFuture<Reply> drain(List<String> names, boolean all) {
        return command(Command.Kind.DRAIN, names, all);
    }

    @Override
    public CompletableFuture<Reply> resume(List<String> names, boolean all) {
        return command(Command.Kind.RESUME, names, all);
    }

    @Override
    public CompletableFuture<Reply> recheck(List<String> names) {
        return command(Command.Kind.RECHECK, names, names.isEmpty());
    }

    @Override
    public CompletableFuture<Reply> reload() {
        return command(Command.Kind.RELOAD, List.of(), false);
    }

    @Override
    public StatusSnapshot status() {
        return snapshot();
    }

    private CompletableFuture<Reply> command(Command.Kind kind, List<String> names, boolean all) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        if (stopped.getCount() == 0) {
            reply.complete(Reply.error("rhid is stopping"));
        } else {
            submit(new Command(kind, List.copyOf(names), all, reply));
        }
        return reply;
    }

    /**
     * Carries out a command on the loop's thread; returns what completes its reply, run after this
     * turn has applied the result (so a drain's reply means the draining announcement is out).
     */
    private Runnable handle(Command c, Set<String> dirty) {
        if (c.kind() == Command.Kind.RELOAD) {
            Reply r = reloadConfig(dirty);
            return () -> c.reply().complete(r);
        }
        List<String> targets = c.all() ? List.copyOf(config.services().keySet()) : c.services();
        List<String> unknown = targets.stream().filter(n -> !config.services().containsKey(n)).toList();
        if (!unknown.isEmpty()) {
            Reply r = Reply.error("no service named " + String.join(", ", unknown) + " (services: "
                    + String.join(", ", config.services().keySet()) + ")");
            return () -> c.reply().complete(r);
        }
        if (targets.isEmpty()) {
            return () -> c.reply().complete(Reply.error("name at least one service, or --all"));
        }
        List<String> notes = new ArrayList<>();
        Set<String> released = new HashSet<>();
        long now = env.ticker().nanos();
        for (String name : targets) {
            ServiceConfig s = config.services().get(name);
            switch (c.kind()) {
                case DRAIN -> {
                    if (drains.get(name) == null) {
                        log.info("{}: drain requested; draining for {}, then withdrawn", name, Durations.format(s.drainHold()));
                        String err = drains.put(name, new Drains.Drain(env.wallMillis().getAsLong(),
                                now + s.drainHold().toNanos(), false));
                        if (err != null) {
                            notes.add(err);
                        }
                        dirty.add(name);
                    }
                }
                case RESUME -> {
                    if (heldUntil.remove(name) != null) {
                        changes.remove(name);
                        log.info("{}: resume requested; flap damping hold released", name);
                        released.add(name);
                        dirty.add(name);
                    }
                    if (drains.get(name) != null) {
                        log.info("{}: resume requested; announced again while healthy", name);
                        String err = drains.remove(name);
                        if (err != null) {
                            notes.add(err);
                        }
                        dirty.add(name);
                    }
                }
                case RECHECK -> s.checks().forEach(ch -> scheduler.runNow(new CheckKey(name, ch.name())));
                default -> throw new IllegalStateException(c.kind().toString());
            }
        }
        return () -> {
            StringBuilder m = new StringBuilder();
            for (String name : targets) {
                ServiceStatus st = services.get(name);
                if (m.length() > 0) {
                    m.append('\n');
                }
                m.append(name).append(": ").append(c.kind() == Command.Kind.RECHECK ? "checks run now; " : "")
                        .append(st == null ? "down" : st.state().label());
                if (released.contains(name)) {
                    m.append(" (flap damping hold released)");
                }
                if (c.kind() == Command.Kind.DRAIN && st != null && st.state() == ServiceState.DRAINING) {
                    m.append(" (withdrawn after drain_hold ").append(Durations.format(config.services().get(name).drainHold()))
                            .append(')');
                }
            }
            if (lastFailed != null) {
                m.append("\nthe router has not applied this yet: ").append(routerStatus.error());
            }
            notes.forEach(n -> m.append("\nwarning: ").append(n));
            c.reply().complete(Reply.ok(m.toString()));
        };
    }

    /**
     * Re-reads the config. An invalid file changes nothing. A valid one replaces the services:
     * checks whose spec and timing are unchanged keep running with their health (no flap),
     * removed services are withdrawn, new ones start down. Router, address, status and control
     * settings need a restart; a change to them is reported and otherwise ignored.
     */
    private Reply reloadConfig(Set<String> dirty) {
        RhidConfig next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            metrics.increment("rhid_config_reload_total", "error");
            try (var f = LogFields.of("event", "reload", "result", "error")) {
                for (var error : e.errors()) {
                    log.error("reload: {}", error);
                }
                log.error("reload: {} in {}; nothing changed, still running on the previous config",
                        counted(e.errors().size(), "error"), config.source());
            }
            return Reply.error("reload refused, nothing changed: " + counted(e.errors().size(), "error") + ":\n" + e.getMessage());
        }
        RhidConfig old = config;
        List<String> needRestart = new ArrayList<>();
        if (!next.router().equals(old.router())) {
            needRestart.add("router");
        }
        if (!next.addresses().equals(old.addresses())) {
            needRestart.add("addresses");
        }
        if (!next.status().equals(old.status())) {
            needRestart.add("status");
        }
        if (!next.control().equals(old.control())) {
            needRestart.add("control");
        }
        if (!next.stateDir().equals(old.stateDir())) {
            needRestart.add("state_dir");
        }
        Map<CheckKey, CheckConfig> before = checks(old);
        Map<CheckKey, CheckConfig> after = checks(next);
        int kept = 0;
        int started = 0;
        for (Map.Entry<CheckKey, CheckConfig> e : before.entrySet()) {
            CheckConfig now = after.get(e.getKey());
            if (now == null || !now.spec().equals(e.getValue().spec()) || !now.timing().equals(e.getValue().timing())) {
                scheduler.stop(e.getKey());
                lastUpdates.remove(e.getKey());
                lastFailures.remove(e.getKey());
            }
        }
        config = old.withServicesOf(next);
        Set<CheckKey> running = scheduler.keys(); // the unchanged checks, which keep their state
        long nowMillis = env.wallMillis().getAsLong();
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (ServiceConfig s : next.services().values()) {
            boolean isNew = !old.services().containsKey(s.name());
            if (isNew) {
                added.add(s.name());
                services.put(s.name(), new ServiceStatus(ServiceState.DOWN, nowMillis, "starting: no check results yet"));
            } else if (!s.equals(old.services().get(s.name()))) {
                changed.add(s.name());
            }
            for (CheckConfig c : s.checks()) {
                CheckKey key = new CheckKey(s.name(), c.name());
                if (running.contains(key)) {
                    kept++;
                } else {
                    startCheck(s, c);
                    started++;
                    if (!isNew) {
                        reloadHold.add(s.name());
                    }
                }
            }
            dirty.add(s.name());
        }
        List<String> removed = new ArrayList<>();
        for (String name : old.services().keySet()) {
            if (!next.services().containsKey(name)) {
                removed.add(name);
                services.remove(name);
                reloadHold.remove(name);
                // A service added again later starts afresh, not as a flapping one.
                changes.remove(name);
                heldUntil.remove(name);
            }
        }
        drains.retain(next.services().keySet());
        String summary = "reloaded " + next.source() + ": " + counted(next.services().size(), "service")
                + (added.isEmpty() ? "" : ", added " + String.join(" ", added))
                + (removed.isEmpty() ? "" : ", removed " + String.join(" ", removed))
                + (changed.isEmpty() ? "" : ", changed " + String.join(" ", changed))
                + "; " + counted(kept, "check") + (kept == 1 ? " kept its" : " kept their") + " state, " + started + " started";
        metrics.increment("rhid_config_reload_total", "ok");
        metrics.set("rhid_config_last_reload_success_timestamp_seconds", env.wallMillis().getAsLong() / 1000.0);
        try (var f = LogFields.of("event", "reload", "result", "ok")) {
            log.info("reload: {}", summary);
        }
        if (!needRestart.isEmpty()) {
            log.warn("reload: {} settings changed; they take effect when rhid restarts", String.join(", ", needRestart));
            summary += "\nwarning: " + String.join(", ", needRestart) + " settings changed; restart rhid to use them";
        }
        return Reply.ok(summary);
    }

    private static Map<CheckKey, CheckConfig> checks(RhidConfig c) {
        Map<CheckKey, CheckConfig> out = new HashMap<>();
        for (ServiceConfig s : c.services().values()) {
            for (CheckConfig ch : s.checks()) {
                out.put(new CheckKey(s.name(), ch.name()), ch);
            }
        }
        return out;
    }

    // ---- health ------------------------------------------------------------------------------

    /** Starts a check from its initial (down) state; its health is in its updates from then on. */
    private void startCheck(ServiceConfig s, CheckConfig c) {
        CheckKey key = new CheckKey(s.name(), c.name());
        Probe probe = types.create(c.spec(), new ProbeContext(key.toString(), c.timing().timeout()));
        scheduler.start(key, c.timing(), probe, c.spec().endpoint(), RiseFall.INITIAL);
    }

    /** A check's rise/fall state as of its last result. */
    private RiseFall healthOf(CheckKey key) {
        CheckUpdate u = lastUpdates.get(key);
        return u == null ? RiseFall.INITIAL : u.health();
    }

    private void onProbe(CheckUpdate u, Set<String> dirty) {
        ServiceConfig s = config.services().get(u.key().service());
        CheckConfig c = s == null ? null : check(s, u.key().check());
        if (c == null) {
            return; // a check removed by a reload; its last run finished after it was stopped
        }
        lastUpdates.put(u.key(), u);
        if (!u.result().passed()) {
            lastFailures.put(u.key(), u);
        }
        metrics.observe("rhid_check_duration_seconds", u.latencyNanos() / 1e9, u.key().service(), u.key().check());
        if (!u.result().passed()) {
            metrics.increment("rhid_check_failures_total", u.key().service(), u.key().check(), reasonClass(u.result().reason()));
        }
        if (log.isDebugEnabled()) {
            // The monotonic time lets benchmarks relate this result to events seen by other processes.
            log.debug("{}: {} {} in {} ms: {} [mono {}]", u.key().service(), u.key().check(), u.result().passed() ? "pass" : "fail",
                    String.format(Locale.ROOT, "%.1f", u.latencyNanos() / 1e6), u.result().reason(), u.finishedNanos());
        }
        if (u.transitioned()) {
            try (var f = LogFields.of("event", "check", "service", u.key().service(), "check", u.key().check(),
                    "from", u.previous().up() ? "up" : "down", "to", u.health().up() ? "up" : "down")) {
                log.info("{}: check {} {} -> {}: {} ({})", u.key().service(), u.key().check(), u.previous().up() ? "up" : "down",
                        u.health().up() ? "up" : "down", u.result().reason().isEmpty() ? shown(c) : u.result().reason(),
                        u.health().up() ? u.health().consecutivePasses() + "/" + c.timing().rise() + " passes"
                                : u.health().consecutiveFailures() + "/" + c.timing().fall() + " failures");
            }
            dirty.add(s.name());
        } else if (u.health().results() <= c.timing().rise()) {
            dirty.add(s.name()); // the startup gate may open with this result
        }
    }

    /**
     * Recomputes a service's state from its checks and any drain, logs a transition and queues
     * its on_change hook.
     */
    private void evaluate(String name) {
        ServiceConfig s = config.services().get(name);
        ServiceStatus prev = services.get(name);
        int passing = 0;
        int ready = 0;
        int readyPassing = 0;
        List<String> failing = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (CheckConfig c : s.checks()) {
            CheckKey key = new CheckKey(name, c.name());
            RiseFall h = healthOf(key);
            boolean isReady = h.results() >= c.timing().rise();
            if (h.up()) {
                passing++;
            } else if (isReady) {
                failing.add(describeFailure(c, key, h));
            }
            if (isReady) {
                ready++;
                readyPassing += h.up() ? 1 : 0;
            } else {
                waiting.add(c.name() + " has " + h.results() + " of " + c.timing().rise() + " results");
            }
        }
        int total = s.checks().size();
        ServiceState next;
        String reason;
        if (waiting.isEmpty()) {
            reloadHold.remove(name);
            next = ServiceState.fromChecks(s.policy().holds(passing, total), passing, total);
            reason = healthReason(s, next, passing, total, failing);
        } else if (reloadHold.contains(name) && prev != null) {
            // Checks added or changed by a reload are not ready yet: judge by the ready ones, so a
            // reload does not withdraw a healthy service while its new checks rise.
            next = ready == 0 ? prev.state() : ServiceState.fromChecks(
                    s.policy().holds(readyPassing, Math.min(ready, total)), readyPassing, ready);
            if (next == ServiceState.DRAINING || next == ServiceState.DRAINED) {
                next = ServiceState.DOWN;
            }
            reason = "reloaded: waiting for " + String.join(", ", waiting);
        } else {
            // No announcement before every check has had rise results, whatever the policy.
            next = ServiceState.DOWN;
            reason = "starting: " + String.join(", ", waiting);
        }
        long nowNanos = env.ticker().nanos();
        long until = 0;
        if (next.announced() && !startupDelayOver) {
            next = ServiceState.DOWN;
            reason = "starting: startup_delay, nothing is announced for " + REMAINING + " more";
            until = announceFromNanos;
        }
        ServiceState health = next;
        Long held = heldUntil.get(name);
        if (held != null && nowNanos >= held) {
            heldUntil.remove(name);
            changes.remove(name);
            held = null;
            log.info("{}: flap damping hold ended; announced again as its health allows", name);
        }
        if (held == null && prev != null && prev.state() != next && isHealthState(prev.state()) && isHealthState(next)
                && flapping(name, nowNanos)) {
            held = nowNanos + config.safety().flap().hold().toNanos();
            heldUntil.put(name, held);
            metrics.increment("rhid_flap_holds_total", name);
            log.warn("{}: more than {} state changes within {}: held withdrawn for {} (flap damping)", name,
                    config.safety().flap().maxChanges(), Durations.format(config.safety().flap().window()),
                    Durations.format(config.safety().flap().hold()));
        }
        if (held != null && next.announced()) {
            next = ServiceState.DOWN;
            reason = "held withdrawn by flap damping for " + REMAINING + " more: over "
                    + config.safety().flap().maxChanges() + " state changes within "
                    + Durations.format(config.safety().flap().window()) + " (now " + health.label()
                    + "; `rhid resume " + name + "` releases the hold)";
            until = held;
        }
        Drains.Drain drain = drains.get(name);
        if (drain != null) {
            long now = nowNanos;
            if (!drain.done() && now < drain.holdEndsNanos() && next.announced()) {
                next = ServiceState.DRAINING;
                reason = "draining: announced with the draining attributes until drain_hold ends in " + REMAINING;
                until = drain.holdEndsNanos();
            } else {
                drains.done(name);
                next = ServiceState.DRAINED;
                reason = "drained by an operator; `rhid resume " + name + "` announces it again";
                until = 0;
            }
        }
        long nowMillis = env.wallMillis().getAsLong();
        if (prev == null || prev.state() != next) {
            services.put(name, new ServiceStatus(next, nowMillis, reason, until));
            if (prev != null) {
                try (var f = LogFields.of("event", "transition", "service", name, "from", prev.state().label(),
                        "to", next.label(), "prefixes", s.prefixes().stream().map(Prefix::toString).collect(joining(" ")))) {
                    log.info("{}: {} -> {}: {}", name, prev.state().label(), next.label(),
                            services.get(name).reasonAt(nowNanos));
                }
                metrics.increment("rhid_transitions_total", name, prev.state().label(), next.label());
                String from = prev.state().label();
                String to = next.label();
                List<String> prefixes = s.prefixes().stream().map(Prefix::toString).toList();
                pendingHooks.add(() -> hooks.run(name, s.onChange(), from, to, prefixes));
            }
        } else if (!prev.reason().equals(reason) || prev.untilNanos() != until) {
            services.put(name, new ServiceStatus(prev.state(), prev.sinceMillis(), reason, until));
        }
    }

    private static boolean isHealthState(ServiceState s) {
        return s == ServiceState.UP || s == ServiceState.DEGRADED || s == ServiceState.DOWN;
    }

    /** Records a health-driven change; true when the service changed too often within the window. */
    private boolean flapping(String name, long nowNanos) {
        RhidConfig.Flap flap = config.safety().flap();
        if (!flap.enabled()) {
            return false;
        }
        java.util.ArrayDeque<Long> times = changes.computeIfAbsent(name, n -> new java.util.ArrayDeque<>());
        times.addLast(nowNanos);
        long windowStart = nowNanos - flap.window().toNanos();
        while (!times.isEmpty() && times.peekFirst() < windowStart) {
            times.removeFirst();
        }
        return times.size() > flap.maxChanges();
    }

    private static String healthReason(ServiceConfig s, ServiceState state, int passing, int total, List<String> failing) {
        return switch (state) {
            case UP -> total == 1 ? "check passes" : "all " + total + " checks pass";
            case DEGRADED -> failing.size() + " of " + total + " checks failing: " + String.join("; ", failing);
            default -> String.join("; ", failing) + (s.policy().kind() == io.rhid.agent.config.Policy.Kind.ALL ? ""
                    : " (policy " + s.policy() + " needs " + needed(s) + ", " + passing + " pass)");
        };
    }

    private static String needed(ServiceConfig s) {
        return switch (s.policy().kind()) {
            case ANY -> "1";
            case AT_LEAST -> Integer.toString(s.policy().n());
            case ALL -> Integer.toString(s.checks().size());
        };
    }

    /** What a check probes, as status and logs show it: exec arguments only with status.show_commands. */
    private String shown(CheckConfig c) {
        return config.status().showCommands() ? c.spec().fullTarget() : c.spec().target();
    }

    private String describeFailure(CheckConfig c, CheckKey key, RiseFall h) {
        CheckUpdate last = lastUpdates.get(key);
        String what = "checks[" + c.index() + "] " + (c.name().equals(c.spec().type()) ? c.name() : c.name() + " " + c.spec().type())
                + " " + shown(c);
        if (last == null) {
            return what + ": not run yet";
        }
        if (!last.result().passed()) {
            return what + ": " + last.result().reason() + " (" + h.consecutiveFailures() + "/" + c.timing().fall() + " failures)";
        }
        // Down but passing again: the results that arrived with the one that took the check down
        // may already include a pass, and "passing" would hide why it is down. Name the failure.
        CheckUpdate failed = lastFailures.get(key);
        String why = failed == null ? "not risen yet"
                : failed.result().reason() + " (" + failed.health().consecutiveFailures() + "/" + c.timing().fall()
                        + " failures, then " + h.consecutivePasses() + "/" + c.timing().rise() + " passes)";
        return what + ": " + why;
    }

    private Map<String, ServiceState> states() {
        Map<String, ServiceState> out = new HashMap<>();
        services.forEach((name, st) -> out.put(name, st.state()));
        return out;
    }

    private DesiredState plan() {
        return Planner.plan(config, states());
    }

    // ---- applying ----------------------------------------------------------------------------

    /** Applies {@code desired}; the daemon is skipped when its announcements are unchanged. */
    private void converge(DesiredState desired) {
        converge(desired, false);
    }

    /**
     * Applies {@code desired}: addresses first, then the daemon, then address removals.
     *
     * @param force apply to the daemon even if its announcements equal the last applied ones
     *              (a drift repair)
     */
    private void converge(DesiredState desired, boolean force) {
        long started = env.ticker().nanos();
        log.debug("apply starts [mono {}]", started);
        DesiredState before = applied;
        try {
            // A prefix announced by this apply must find its address on the interface, not only
            // in what was last seen there (it may have been removed by hand since).
            Set<Prefix> announcing = new TreeSet<>(desired.announcements().keySet());
            if (before != null && !force) {
                announcing.removeAll(before.announcements().keySet());
            }
            Set<Prefix> notAdded = loopback.add(desired.addresses(), announcing);
            DesiredState effective = desired;
            if (!notAdded.isEmpty()) {
                // Announcing a prefix whose address is missing would black-hole its traffic here.
                SortedMap<Prefix, Announcement> kept = new TreeMap<>(desired.announcements());
                kept.keySet().removeAll(notAdded);
                effective = new DesiredState(desired.addresses(), kept);
            }
            if (force || before == null || !effective.announcements().equals(before.announcements())) {
                router.apply(effective);
            }
            applied = effective;
            loopback.retainOnly(desired.addresses());
            writeRecord(effective.announcements().keySet());
            if (!notAdded.isEmpty()) {
                throw new ApplyException("could not add " + notAdded + " to " + config.addresses().interfaceName()
                        + "; their routes are withheld");
            }
            long took = env.ticker().nanos() - started;
            failures = 0;
            lastFailed = null;
            runPendingHooks();
            metrics.increment("rhid_router_apply_total", router.daemon(), "ok");
            metrics.observe("rhid_router_apply_duration_seconds", took / 1e9, router.daemon());
            metrics.set("rhid_router_last_apply_success_timestamp_seconds", env.wallMillis().getAsLong() / 1000.0);
            routerStatus = new StatusSnapshot.Router(router.daemon(), "ok", env.wallMillis().getAsLong(), took / 1e6, null, 0,
                    routerStatus.driftRepairs());
            String ms = String.format(Locale.ROOT, "%.1f", took / 1e6);
            try (var f = LogFields.of("event", "apply", "daemon", router.daemon(), "result", "ok", "duration_ms", ms,
                    "prefixes", desired.announcements().keySet().stream().map(Prefix::toString).collect(joining(" ")))) {
                log.info("{}: applied in {} ms: {}", router.daemon(), ms, describeChange(before, desired));
            }
            if (!stopping) {
                exports.refresh();
                exportsAgainNanos = env.ticker().nanos() + EXPORT_SETTLE.toNanos();
            }
        } catch (ApplyException e) {
            long took = env.ticker().nanos() - started;
            failures++;
            lastFailed = desired;
            long backoff = backoff();
            retryAtNanos = env.ticker().nanos() + backoff;
            metrics.increment("rhid_router_apply_total", router.daemon(), "error");
            metrics.observe("rhid_router_apply_duration_seconds", took / 1e9, router.daemon());
            routerStatus = new StatusSnapshot.Router(router.daemon(), "error", env.wallMillis().getAsLong(), took / 1e6,
                    e.getMessage(), env.wallMillis().getAsLong() + backoff / 1_000_000, routerStatus.driftRepairs());
            try (var f = LogFields.of("event", "apply", "daemon", router.daemon(), "result", "error",
                    "duration_ms", String.format(Locale.ROOT, "%.1f", took / 1e6))) {
                log.error("{}: apply failed (attempt {}), keeping the last good state, retrying in {}: {}", router.daemon(),
                        failures, Durations.format(Duration.ofNanos(backoff)), e.getMessage());
            }
        }
    }

    /** 250 ms doubling per consecutive failure, at most reconcile_interval. */
    private long backoff() {
        long cap = config.router().reconcileInterval().toNanos();
        long delay = FIRST_RETRY.toNanos() << Math.min(failures - 1, 20);
        return Math.min(delay, cap);
    }

    private void reconcile() {
        DesiredState target = applied;
        if (target == null || lastFailed != null) {
            return; // a failed apply is already being retried
        }
        List<Drift> drift = new ArrayList<>();
        try {
            drift.addAll(router.drift(target));
            drift.addAll(loopback.drift(target.addresses()));
        } catch (ApplyException e) {
            routerStatus = new StatusSnapshot.Router(router.daemon(), "error", env.wallMillis().getAsLong(), 0,
                    "drift check: " + e.getMessage(), 0, routerStatus.driftRepairs());
            log.warn("{}: cannot check for drift: {}", router.daemon(), e.getMessage());
            lastFailed = target;
            failures++;
            retryAtNanos = env.ticker().nanos() + backoff();
            return;
        }
        if (drift.isEmpty()) {
            return;
        }
        for (Drift d : drift) {
            try (var f = LogFields.of("event", "drift", "kind", d.kind(), "daemon", router.daemon())) {
                log.warn("drift ({}): {}; repairing", d.kind(), d.detail());
            }
            metrics.increment("rhid_drift_repairs_total", d.kind());
        }
        routerStatus = new StatusSnapshot.Router(routerStatus.daemon(), routerStatus.lastResult(), routerStatus.lastApplyMillis(),
                routerStatus.lastDurationMs(), routerStatus.error(), routerStatus.nextRetryMillis(),
                routerStatus.driftRepairs() + drift.size());
        converge(target, true);
    }

    /**
     * On stop: withdraw every announcement, then remove addresses only with remove_when_down. If
     * the apply fails (include file unwritable, daemon hung), falls back to the applier's
     * withdrawAll (which disables BIRD's protocols when the file cannot be written) and retries
     * it with backoff for up to {@link Withdrawal#BOUND}; addresses are removed only once the
     * withdrawal is confirmed.
     */
    private void withdrawAll() {
        long started = env.ticker().nanos();
        DesiredState current = applied;
        var keep = config.addresses().removeWhenDown() || current == null ? new TreeSet<Prefix>() : current.addresses();
        DesiredState target = new DesiredState(keep, new TreeMap<>());
        converge(target, true); // even if nothing seems announced: the daemon may know better
        if (lastFailed == null) {
            withdrawnOnStop = true;
            log.info("stopped: everything rhid announced is withdrawn");
            return;
        }
        log.warn("{}: withdrawal on stop failed ({}); retrying with the daemon's fallback for up to {}", router.daemon(),
                routerStatus.error(), Durations.format(Withdrawal.BOUND));
        Duration left = Withdrawal.BOUND.minusNanos(env.ticker().nanos() - started);
        Withdrawal.Result r;
        try {
            r = Withdrawal.untilConfirmed(router, left.isNegative() ? Duration.ZERO : left, env.ticker()::nanos, pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r = new Withdrawal.Result(false, "interrupted", 0, List.of());
        }
        if (!r.confirmed()) {
            log.error("{}: could not confirm the withdrawal on stop after {} attempts: {}; `rhid withdraw-all` (the unit's "
                    + "ExecStopPost) tries again", router.daemon(), r.attempts(), r.message());
            return;
        }
        withdrawnOnStop = true;
        applied = new DesiredState(current == null ? new TreeSet<>() : current.addresses(), new TreeMap<>());
        lastFailed = null;
        log.info("stopped: {} (attempt {})", r.message(), r.attempts());
        try {
            loopback.retainOnly(keep);
        } catch (ApplyException e) {
            log.error("stopped with everything withdrawn, but {}", e.getMessage());
        }
        writeRecord(new TreeSet<>());
    }

    /** Records what is applied in the state dir for withdraw-all; a failure is logged, never fatal. */
    private void writeRecord(Set<Prefix> announced) {
        AppliedRecord next;
        try {
            // Only FRR's network lines are recorded; BIRD's file is not rendered again for this.
            String rendered = config.router().daemon() == io.rhid.agent.config.RouterConfig.Daemon.FRR
                    ? router.render(applied == null ? DesiredState.EMPTY : applied) : "";
            next = AppliedRecord.of(config, announced, rendered, loopback.ownedAddresses(),
                    java.time.Instant.ofEpochMilli(env.wallMillis().getAsLong()));
        } catch (ApplyException e) {
            next = AppliedRecord.of(config, announced, "", List.of(), java.time.Instant.ofEpochMilli(env.wallMillis().getAsLong()));
        }
        if (next.sameAs(record)) {
            return;
        }
        try {
            next.write(config.stateDir());
            record = next;
            recordError = null;
        } catch (java.io.IOException e) {
            String why = io.rhid.agent.router.AtomicFiles.describe(e);
            if (!why.equals(recordError)) {
                log.error("cannot write {}: {}; `rhid withdraw-all` needs a readable config until it can",
                        AppliedRecord.file(config.stateDir()), why);
            }
            recordError = why;
        }
    }

    private static String describeChange(DesiredState before, DesiredState after) {
        Set<Prefix> was = before == null ? Set.of() : before.announcements().keySet();
        Set<Prefix> now = after.announcements().keySet();
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (Prefix p : now) {
            if (!was.contains(p)) {
                added.add(p.toString());
            }
        }
        for (Prefix p : was) {
            if (!now.contains(p)) {
                removed.add(p.toString());
            }
        }
        return now.size() + " announced" + (added.isEmpty() ? "" : ", announce " + abbreviate(added))
                + (removed.isEmpty() ? "" : ", withdraw " + abbreviate(removed));
    }

    private static String abbreviate(List<String> items) {
        return items.size() <= 4 ? String.join(" ", items)
                : String.join(" ", items.subList(0, 4)) + " and " + (items.size() - 4) + " more";
    }

    /**
     * A bounded label for failure reasons: the leading lower-case words, up to the first number,
     * colon or other detail ({@code timeout after 500ms} -> {@code timeout_after},
     * {@code exit 2: boom} -> {@code exit}, {@code tls: ...} -> {@code tls}); an rcode is kept,
     * since each one means something else ({@code rcode REFUSED} -> {@code rcode_refused}).
     */
    static String reasonClass(String reason) {
        StringBuilder out = new StringBuilder();
        String previous = "";
        for (String word : reason.split(" ")) {
            boolean last = word.endsWith(":");
            if (last) {
                word = word.substring(0, word.length() - 1);
            }
            // dnsjava names rcodes in capitals and unassigned ones RESERVEDn: a bounded set.
            boolean rcode = previous.equals("rcode") && !word.isEmpty()
                    && word.chars().allMatch(ch -> ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9');
            if (word.isEmpty() || !rcode && !word.chars().allMatch(ch -> ch >= 'a' && ch <= 'z')) {
                break;
            }
            if (out.length() > 0) {
                out.append('_');
            }
            out.append(word.toLowerCase(Locale.ROOT));
            previous = word;
            if (last || rcode || out.length() > 24) {
                break;
            }
        }
        return out.length() == 0 ? "other" : out.toString();
    }

    /** {@code 1 error}, {@code 2 errors}. */
    static String counted(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static CheckConfig check(ServiceConfig s, String name) {
        for (CheckConfig c : s.checks()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    // ---- status ------------------------------------------------------------------------------

    /** Every prefix the current config lists; read by the export watch's thread. */
    private Set<Prefix> configuredPrefixes() {
        Set<Prefix> out = new TreeSet<>();
        for (ServiceConfig s : config.services().values()) {
            out.addAll(s.prefixes());
        }
        return out;
    }

    /** A consistent-enough picture for status readers; safe to call from any thread. */
    public StatusSnapshot snapshot() {
        RhidConfig c = config;
        long nowNanos = env.ticker().nanos();
        List<StatusSnapshot.Service> out = new ArrayList<>();
        for (ServiceConfig s : c.services().values()) {
            ServiceStatus st = services.get(s.name());
            List<StatusSnapshot.Check> checks = new ArrayList<>();
            for (CheckConfig cc : s.checks()) {
                CheckUpdate u = lastUpdates.get(new CheckKey(s.name(), cc.name()));
                RiseFall h = u == null ? RiseFall.INITIAL : u.health();
                checks.add(new StatusSnapshot.Check(cc.name(), cc.spec().type(), shown(cc), h.up(),
                        u == null ? "pending" : u.result().passed() ? "pass" : "fail",
                        u == null ? "" : u.result().reason(),
                        u == null ? 0 : Math.round(u.latencyNanos() / 1e4) / 100.0,
                        u == null ? 0 : u.finishedAtMillis(), h.consecutivePasses(), h.consecutiveFailures(),
                        Durations.format(cc.timing().interval()), Durations.format(cc.timing().fastInterval()),
                        Durations.format(cc.timing().timeout()), cc.timing().rise(), cc.timing().fall()));
            }
            out.add(new StatusSnapshot.Service(s.name(), st == null ? "down" : st.state().label(),
                    st == null ? 0 : st.sinceMillis(), st == null ? "" : st.reasonAt(nowNanos), s.policy().toString(),
                    s.prefixes().stream().map(Prefix::toString).toList(), checks));
        }
        List<StatusSnapshot.Announced> announced = new ArrayList<>();
        DesiredState a = applied;
        StatusSnapshot.Exports ex = exports.latest();
        if (a != null) {
            for (Announcement an : a.announcements().values()) {
                String prefix = an.prefix().toString();
                announced.add(new StatusSnapshot.Announced(prefix, an.state().label(), an.services(),
                        an.attributes().communities().stream().map(Object::toString).toList(),
                        an.attributes().largeCommunities().stream().map(Object::toString).toList(),
                        an.attributes().med().isPresent() ? an.attributes().med().getAsLong() : null,
                        // null for a prefix the last answer did not cover (added by a reload since)
                        an.attributes().prepend(), ex.known() ? ex.prefixes().get(prefix) : null));
            }
        }
        return new StatusSnapshot(version, env.wallMillis().getAsLong(), c.source().toString(), out, announced, routerStatus,
                ex);
    }
}
