package io.rhid.agent.control;


import io.rhid.agent.address.LoopbackApplier;
import io.rhid.agent.config.CheckConfig;
import io.rhid.agent.config.ConfigException;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.agent.health.FlapDamping;
import io.rhid.agent.health.ReloadHold;
import io.rhid.agent.health.ServiceEvaluator;
import io.rhid.agent.health.ServiceState;
import io.rhid.agent.health.StartupGate;
import io.rhid.agent.health.Verdict;
import io.rhid.agent.log.LogFields;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.plan.Planner;
import io.rhid.agent.router.ExportQuery;
import io.rhid.agent.router.RouterApplier;
import io.rhid.agent.router.Withdrawal;
import io.rhid.agent.schedule.CheckKey;
import io.rhid.agent.schedule.CheckUpdate;
import io.rhid.agent.schedule.ProbeScheduler;
import io.rhid.agent.status.Metric;
import io.rhid.agent.status.MetricListener;
import io.rhid.agent.status.StatusSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single thread that owns rhid's mutable state. Probe outcomes and commands arrive through one
 * queue (the {@link Inbox}; a routine result, one that agrees with its check's state as the one
 * before did, waits there for the next turn instead of waking the loop); each turn of the loop
 * takes everything queued, records the checks' results, has the
 * {@link ServiceEvaluator} judge the services they touch, plans the desired state and hands it to
 * the {@link Converger}, which applies it if it differs from what was applied. Outcomes that
 * arrive together (a correlated failure of many services) are therefore applied as one change,
 * and a lone change is applied at once. At the end of each turn it publishes a {@link StatusView}
 * for status readers.
 *
 * <p>Threading: {@link #submit}, {@link #snapshot()}, the {@link Operations} and
 * {@link #awaitStopped} may be called from any thread; everything else runs on the loop's thread.
 */
public final class ControlLoop implements Runnable, Operations {

    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);

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

    private final Inbox inbox;
    private final Environment env;
    private final MetricListener metrics;
    private final CheckBook checks;
    private final Commands commands;
    private final ConfigSource source;
    private final Drains drains;
    private final Transitions transitions;
    private final String version;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Converger converger;
    private final ExportWatch exports;
    private final AtomicReference<StatusView> published = new AtomicReference<>();
    /** Whether the daemon confirmed, on stop, that nothing of rhid's is announced. */
    private volatile boolean withdrawnOnStop;
    private volatile Heartbeat heartbeat = Heartbeat.NONE;

    // Confined to the loop's thread, except config, which the export watch reads.
    /** The running config; a reload replaces it, services and all, in one assignment. */
    private volatile RhidConfig config;
    private final Map<String, Verdict> verdicts = new HashMap<>();
    private final FlapDamping flap = new FlapDamping();
    private final ReloadHold reloadHold = new ReloadHold();
    private StartupGate gate;
    private ServiceEvaluator evaluator;
    private boolean stopping;
    private final Coalescer coalescer = new Coalescer();
    /** A plan change the coalescer held back, applied when the hold ends. */
    private boolean deferred;
    /**
     * Whether the coalescer is holding an apply back: every result then wakes the loop, since a
     * linked check's pass ends the hold as much as its failure does. Written by the loop, read by
     * probe threads.
     */
    private volatile boolean holding;

    public ControlLoop(RhidConfig config, ConfigSource source, ProbeTypes types, Environment env, RouterApplier router,
                       LoopbackApplier loopback, MetricListener metrics, String version) {
        this(config, source, types, env, router, loopback, metrics, version, ExportQuery.NONE, Runnable::run);
    }

    /**
     * @param exportQuery asks the routing daemon what it exports, after every apply and every
     *                    {@code reconcile_interval}
     * @param exportRunner where those questions run, so the loop never waits for them
     */
    public ControlLoop(RhidConfig config, ConfigSource source, ProbeTypes types, Environment env, RouterApplier router,
                       LoopbackApplier loopback, MetricListener metrics, String version, ExportQuery exportQuery,
                       Executor exportRunner) {
        this.config = config;
        this.source = source;
        this.drains = new Drains(config.stateDir());
        this.env = env;
        this.metrics = metrics;
        this.version = version;
        this.inbox = new Inbox(env.ticker());
        this.checks = new CheckBook(types, new ProbeScheduler(env.timer(), env.probeRunner(), env.ticker(), env.wallMillis(),
                env.random(), this::received), metrics);
        this.transitions = new Transitions(metrics);
        this.converger = new Converger(config, router, loopback, metrics, env.ticker(), env.wallMillis(), transitions::runPendingHooks);
        this.commands = new Commands(drains, flap, checks, converger, verdicts, env.ticker(), env.wallMillis());
        this.exports = new ExportWatch(exportQuery, exportRunner, env.ticker(), env.wallMillis(), () -> StatusView.prefixes(this.config),
                converger::announced);
        converger.exports(exports);
    }

    /** Whom to tell that the loop is ready and alive; set before {@link #run()}. */
    public void heartbeat(Heartbeat heartbeat) {
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    }

    /** Queues an event for the loop and wakes it; never blocks. */
    public void submit(Event event) {
        inbox.post(event);
    }

    /** The scheduler's sink, on a probe thread: a routine result waits for the loop's next turn. */
    private void received(CheckUpdate update) {
        int rise = CheckBook.rise(config, update.key());
        if (!holding && rise >= 0 && CheckBook.routine(update, rise)) {
            inbox.postQuietly(new ProbeEvent(update));
        } else {
            inbox.post(new ProbeEvent(update));
        }
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
            withdrawnOnStop = converger.withdrawAll();
            throw e;
        } finally {
            transitions.close();
            exports.close();
            stopped.countDown();
        }
    }

    /** Replaces how the stop path waits between withdrawal attempts (tests). */
    void pauseWith(Withdrawal.Pause pause) {
        converger.pauseWith(pause);
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
        Duration delay = config.safety().startupDelay();
        gate = new StartupGate(env.ticker().nanos() + delay.toNanos(), delay.isZero());
        evaluator = new ServiceEvaluator(gate, flap, drains.hold(), reloadHold);
        long now = env.wallMillis().getAsLong();
        metrics.record(Metric.START_TIME, now / 1000.0);
        metrics.record(Metric.CONFIG_LAST_RELOAD_SUCCESS, now / 1000.0);
        drains.load(config.services().keySet(), now);
        coalescer.configure(config);
        for (ServiceConfig s : config.services().values()) {
            verdicts.put(s.name(), Verdict.starting(now));
            for (CheckConfig c : s.checks()) {
                checks.start(s, c);
            }
        }
        log.info("started: {}, {}, daemon {}", Texts.counted(config.services().size(), "service"),
                Texts.counted(config.services().values().stream().mapToInt(s -> s.checks().size()).sum(), "check"),
                converger.routerStatus().daemon());
        for (String drained : List.copyOf(drains.hold().names())) {
            evaluate(drained);
        }
        // Apply once even though nothing is announced yet: this withdraws whatever a crashed
        // earlier instance left announced and adds the addresses services may bind to.
        converger.start(plan());
        publish();
        heartbeat.ready();
    }

    /**
     * One turn: waits up to {@code maxWaitNanos} (less if an overlay, a retry, a reconcile or the
     * flush of routine results is due) for an event that wakes the loop, handles everything
     * queued, then applies and reconciles as needed.
     *
     * @return false once the loop has stopped
     */
    boolean turn(long maxWaitNanos) {
        long now = env.ticker().nanos();
        long deadline = Math.min(Math.min(converger.nextDeadline(), gate.nextDeadline()),
                Math.min(Math.min(flap.nextDeadline(), drains.hold().nextDeadline()), coalescer.nextDeadline()));
        long wait = Math.max(0, Math.min(Math.min(maxWaitNanos, heartbeat.maxWaitNanos()), deadline - now));
        List<Event> batch = new ArrayList<>();
        boolean interrupted = false;
        try {
            // Routine results alone only shorten the wait to their flush deadline. Bounded: a
            // wake-up without a loud event comes at most once per take (the first quiet event),
            // plus a permit left over from the last take.
            for (int i = 0; i < 3 && !inbox.loud(); i++) {
                long t = env.ticker().nanos();
                long left = Math.min(wait - (t - now), inbox.flushIn(t));
                if (left <= 0 || !inbox.await(left)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            interrupted = true;
        }
        inbox.takeAll(batch);
        if (interrupted) {
            batch.add(new Stop());
        }
        Set<String> dirty = new TreeSet<>();
        Set<String> touched = new HashSet<>();
        List<Runnable> replies = new ArrayList<>();
        for (Event e : batch) {
            if (e instanceof ProbeEvent p) {
                CheckUpdate u = p.update();
                touched.add(u.key().service());
                if (checks.record(u, config)) {
                    dirty.add(u.key().service());
                }
                if (u.transitioned() && !u.health().up()) {
                    coalescer.confirmedDown(u.key(), checks::get, env.ticker().nanos());
                }
            } else if (e instanceof Command c) {
                replies.add(handle(c, dirty));
            } else if (e instanceof Stop) {
                stopping = true;
            }
        }
        if (stopping) {
            checks.close();
            withdrawnOnStop = converger.withdrawAll();
            publish();
            replies.forEach(Runnable::run);
            return false;
        }
        now = env.ticker().nanos();
        dirty.addAll(drains.hold().dueServices(now));
        dirty.addAll(flap.dueServices(now));
        if (gate.due(now)) {
            gate.open();
            log.info("startup_delay over: services are announced as their health allows");
            dirty.addAll(config.services().keySet());
        }
        for (String s : dirty) {
            evaluate(s);
        }
        // A command's reply waits for the apply, so a turn with commands is never held back.
        boolean hold = replies.isEmpty() && coalescer.holding(checks::get, now);
        holding = coalescer.nextDeadline() != Long.MAX_VALUE;
        boolean replan = !dirty.isEmpty() || deferred;
        deferred = hold && replan;
        converger.turn(this::plan, replan && !hold, now);
        touched.addAll(dirty);
        publish(replies.isEmpty() ? touched : null);
        replies.forEach(Runnable::run);
        heartbeat.alive();
        return true;
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
        return commands.handle(c, config, dirty);
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
            metrics.increment(Metric.CONFIG_RELOADS, "error");
            return ReloadDiff.refused(e, config);
        }
        RhidConfig old = config;
        ReloadDiff diff = ReloadDiff.of(old, next);
        diff.stop().forEach(checks::stop);
        config = old.withServicesOf(next);
        coalescer.configure(config);
        long nowMillis = env.wallMillis().getAsLong();
        diff.added().forEach(name -> verdicts.put(name, Verdict.starting(nowMillis)));
        for (ReloadDiff.Start start : diff.start()) {
            checks.start(start.service(), start.check());
            if (start.hold()) {
                reloadHold.hold(start.service().name());
            }
        }
        dirty.addAll(next.services().keySet());
        for (String name : diff.removed()) {
            verdicts.remove(name);
            reloadHold.release(name);
            flap.forget(name);
        }
        drains.retain(next.services().keySet());
        String summary = diff.summary();
        metrics.increment(Metric.CONFIG_RELOADS, "ok");
        metrics.record(Metric.CONFIG_LAST_RELOAD_SUCCESS, env.wallMillis().getAsLong() / 1000.0);
        try (var f = LogFields.of("event", "reload", "result", "ok")) {
            log.info("reload: {}", summary);
        }
        if (!diff.needRestart().isEmpty()) {
            log.warn("reload: {} settings changed; they take effect when rhid restarts", String.join(", ", diff.needRestart()));
            summary += "\nwarning: " + String.join(", ", diff.needRestart()) + " settings changed; restart rhid to use them";
        }
        return Reply.ok(summary);
    }

    // ---- health ------------------------------------------------------------------------------

    /** Has the evaluator judge a service again; {@link Transitions} logs what changed. */
    private void evaluate(String name) {
        ServiceConfig s = config.services().get(name);
        Verdict prev = verdicts.get(name);
        long nowNanos = env.ticker().nanos();
        RhidConfig.Flap flapConfig = config.safety().flap();
        ServiceEvaluator.Evaluation e = evaluator.evaluate(s, prev, check -> checks.get(new CheckKey(name, check)),
                new ServiceEvaluator.Settings(config.status().showCommands(), flapConfig), nowNanos,
                env.wallMillis().getAsLong());
        verdicts.put(name, e.verdict());
        transitions.record(s, prev, e, flapConfig, nowNanos);
    }

    private DesiredState plan() {
        Map<String, ServiceState> states = new HashMap<>();
        verdicts.forEach((name, v) -> states.put(name, v.state()));
        return Planner.plan(config, states);
    }

    // ---- status ------------------------------------------------------------------------------

    /** Publishes this turn's picture for status readers, built anew. */
    private void publish() {
        publish(null);
    }

    /**
     * Publishes this turn's picture for status readers.
     *
     * @param touched the services whose entries may have changed this turn; null: any may have
     */
    private void publish(Set<String> touched) {
        StatusView previous = touched == null ? null : published.get();
        published.set(StatusView.of(version, config, verdicts, checks.records(), converger.applied(), converger.routerStatus(),
                previous, touched == null ? Set.of() : touched));
    }

    /** The picture the loop published at the end of its last turn, as of now; safe from any thread. */
    public StatusSnapshot snapshot() {
        StatusView view = published.get();
        if (view == null) {
            // Before start(): every configured service, down, nothing announced.
            view = StatusView.of(version, config, Map.of(), Map.of(), null, converger.routerStatus());
        }
        return view.at(env.ticker().nanos(), env.wallMillis().getAsLong(), exports.latest());
    }
}
