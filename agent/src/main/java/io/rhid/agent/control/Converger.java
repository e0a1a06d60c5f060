package io.rhid.agent.control;

import static java.util.stream.Collectors.joining;

import io.rhid.agent.router.AppliedRecord;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.AtomicFiles;
import io.rhid.agent.router.Drift;
import io.rhid.agent.address.LoopbackApplier;
import io.rhid.agent.router.RouterApplier;
import io.rhid.agent.router.Withdrawal;
import io.rhid.agent.config.Durations;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.log.LogFields;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.schedule.Ticker;
import io.rhid.agent.status.Metric;
import io.rhid.agent.status.MetricListener;
import io.rhid.agent.status.StatusSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the interface and the routing daemon in line with a planned {@link DesiredState}: owns
 * what was applied, the apply state ({@link InSync} or {@link Failed}, with backoff), drift repair,
 * the address-before-route order, every adjustment of the plan after I/O (a prefix whose address
 * could not be added is withheld), the record in the state dir, and the stop path's withdrawal.
 * Confined to the control loop's thread, except {@link #applied()}, read by the export watch.
 */
final class Converger {

    // The apply and drift log lines keep the logger name they always had: filters select on it.
    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    /**
     * After an apply, the daemon is asked again this much later: a peer gets an UPDATE only after
     * the daemon's own delays (bgpd's ~50 ms queue hold, its ~1 s coalesce after a session starts).
     */
    private static final Duration EXPORT_SETTLE = Duration.ofSeconds(2);

    /** Whether the daemon and interface hold what was last planned. */
    sealed interface ApplyState permits InSync, Failed {
    }

    /** The last plan (or drift repair) was applied. */
    record InSync() implements ApplyState {
    }

    /**
     * Applying {@code target} failed {@code attempt} times in a row; it is tried again at
     * {@code retryAtNanos} (ticker time).
     */
    record Failed(DesiredState target, int attempt, long retryAtNanos) implements ApplyState {
    }

    private static final InSync IN_SYNC = new InSync();

    /** Router, addresses, control and state dir settings: a reload does not change them. */
    private final RhidConfig fixed;
    private final RouterApplier router;
    private final LoopbackApplier loopback;
    private final MetricListener metrics;
    private final Ticker ticker;
    private final LongSupplier wallMillis;
    private final Runnable onApplied;
    private ExportWatch exports;
    /** How the stop path waits between withdrawal attempts; tests advance their clock instead. */
    private Withdrawal.Pause pause = Withdrawal.Pause.SLEEP;

    private volatile DesiredState applied;
    private ApplyState state = IN_SYNC;
    private StatusSnapshot.Router routerStatus;
    /** The record last written to the state dir, so an unchanged one is not written again. */
    private AppliedRecord record;
    private String recordError;
    /** When to ask the daemon again what it exports after an apply; 0: not planned. */
    private long exportsAgainNanos;
    private long nextReconcileNanos;

    /** @param onApplied runs after every successful apply (the queued on_change hooks) */
    Converger(RhidConfig fixed, RouterApplier router, LoopbackApplier loopback, MetricListener metrics, Ticker ticker,
              LongSupplier wallMillis, Runnable onApplied) {
        this.fixed = fixed;
        this.router = router;
        this.loopback = loopback;
        this.metrics = metrics;
        this.ticker = ticker;
        this.wallMillis = wallMillis;
        this.onApplied = onApplied;
        this.routerStatus = new StatusSnapshot.Router(router.daemon(), "pending", 0, 0, null, 0, 0);
    }

    void exports(ExportWatch exports) {
        this.exports = exports;
    }

    void pauseWith(Withdrawal.Pause pause) {
        this.pause = pause;
    }

    /** What was last applied; null before the first apply. Safe from any thread. */
    DesiredState applied() {
        return applied;
    }

    /** The prefixes last applied as announced; safe from any thread. */
    Set<Prefix> announced() {
        DesiredState a = applied;
        return a == null ? Set.of() : a.announcements().keySet();
    }

    ApplyState state() {
        return state;
    }

    boolean inSync() {
        return state instanceof InSync;
    }

    StatusSnapshot.Router routerStatus() {
        return routerStatus;
    }

    /** The first apply: clears leftovers of an earlier run and records this run for withdraw-all. */
    void start(DesiredState desired) {
        converge(desired, false);
        if (record == null) {
            // The apply failed (a successful one records itself). Still record this run's daemon,
            // file and protocols before anything is announced, for withdraw-all.
            writeRecord(new TreeSet<>(), applied);
        }
        nextReconcileNanos = ticker.nanos() + fixed.router().reconcileInterval().toNanos();
    }

    /** The earliest time this needs a turn: a retry, a reconcile, a second look at the exports. */
    long nextDeadline() {
        long deadline = nextReconcileNanos;
        if (state instanceof Failed f) {
            deadline = Math.min(deadline, f.retryAtNanos());
        }
        if (exportsAgainNanos != 0) {
            deadline = Math.min(deadline, exportsAgainNanos);
        }
        return deadline;
    }

    /**
     * One turn's worth of convergence: applies {@code desired} if the plan may have changed
     * ({@code replanned}: asks {@code plan} only then) or a retry is due, then reconciles if that is due.
     */
    void turn(Supplier<DesiredState> plan, boolean replanned, long now) {
        boolean retryDue = state instanceof Failed f && now >= f.retryAtNanos();
        if (replanned || retryDue) {
            DesiredState desired = plan.get();
            boolean changed = !desired.equals(applied);
            boolean failedBefore = state instanceof Failed f && desired.equals(f.target());
            if (changed && (retryDue || !failedBefore)) {
                converge(desired, false);
            } else if (retryDue) {
                // A failed drift check or drift repair: nothing changed, but the daemon still has
                // to be brought in line. Without this the retry never runs, the state stays Failed
                // (no more drift checks, the error stays in /status) and the past retry time
                // makes every turn return at once: the loop spins.
                converge(desired, true);
            }
        }
        if (state instanceof InSync) {
            onApplied.run(); // transitions that needed no change to the router are applied too
        }
        if (now >= nextReconcileNanos) {
            nextReconcileNanos = now + fixed.router().reconcileInterval().toNanos();
            reconcile();
            exports.refresh();
        } else if (exportsAgainNanos != 0 && now >= exportsAgainNanos) {
            exportsAgainNanos = 0;
            exports.refresh();
        }
    }

    /**
     * Applies {@code desired}: addresses first, then the daemon, then address removals.
     *
     * @param force apply to the daemon even if its announcements equal the last applied ones
     *              (a drift repair, the withdrawal on stop)
     * @return whether it succeeded
     */
    boolean converge(DesiredState desired, boolean force) {
        return converge(desired, force, false);
    }

    private boolean converge(DesiredState desired, boolean force, boolean stopping) {
        long started = ticker.nanos();
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
                recordAhead(before, effective);
                router.apply(effective);
            }
            applied = effective;
            loopback.retainOnly(desired.addresses());
            writeRecord(effective.announcements().keySet(), applied);
            if (!notAdded.isEmpty()) {
                throw new ApplyException("could not add " + notAdded + " to " + fixed.addresses().interfaceName()
                        + "; their routes are withheld");
            }
            long took = ticker.nanos() - started;
            state = IN_SYNC;
            onApplied.run();
            metrics.increment(Metric.ROUTER_APPLIES, router.daemon(), "ok");
            metrics.record(Metric.ROUTER_APPLY_DURATION, took / 1e9, router.daemon());
            metrics.record(Metric.ROUTER_LAST_APPLY_SUCCESS, wallMillis.getAsLong() / 1000.0);
            routerStatus = new StatusSnapshot.Router(router.daemon(), "ok", wallMillis.getAsLong(), took / 1e6, null, 0,
                    routerStatus.driftRepairs());
            String ms = String.format(Locale.ROOT, "%.1f", took / 1e6);
            try (var f = LogFields.of("event", "apply", "daemon", router.daemon(), "result", "ok", "duration_ms", ms,
                    "prefixes", desired.announcements().keySet().stream().map(Prefix::toString).collect(joining(" ")))) {
                log.info("{}: applied in {} ms: {}", router.daemon(), ms, Texts.change(before, desired));
            }
            if (!stopping) {
                exports.refresh();
                exportsAgainNanos = ticker.nanos() + EXPORT_SETTLE.toNanos();
            }
            return true;
        } catch (ApplyException e) {
            long took = ticker.nanos() - started;
            int attempt = failed(desired);
            long backoff = backoff(attempt);
            metrics.increment(Metric.ROUTER_APPLIES, router.daemon(), "error");
            metrics.record(Metric.ROUTER_APPLY_DURATION, took / 1e9, router.daemon());
            routerStatus = new StatusSnapshot.Router(router.daemon(), "error", wallMillis.getAsLong(), took / 1e6,
                    e.getMessage(), wallMillis.getAsLong() + backoff / 1_000_000, routerStatus.driftRepairs());
            try (var f = LogFields.of("event", "apply", "daemon", router.daemon(), "result", "error",
                    "duration_ms", String.format(Locale.ROOT, "%.1f", took / 1e6))) {
                log.error("{}: apply failed (attempt {}), keeping the last good state, retrying in {}: {}", router.daemon(),
                        attempt, Durations.format(Duration.ofNanos(backoff)), e.getMessage());
            }
            return false;
        }
    }

    /** Records a failed attempt at {@code target}; returns its number in the current run of failures. */
    private int failed(DesiredState target) {
        int attempt = state instanceof Failed f ? f.attempt() + 1 : 1;
        state = new Failed(target, attempt, ticker.nanos() + backoff(attempt));
        return attempt;
    }

    /** 250 ms doubling per consecutive failure, at most reconcile_interval. */
    private long backoff(int attempt) {
        long cap = fixed.router().reconcileInterval().toNanos();
        long delay = FIRST_RETRY.toNanos() << Math.min(attempt - 1, 20);
        return Math.min(delay, cap);
    }

    private void reconcile() {
        DesiredState target = applied;
        if (target == null || state instanceof Failed) {
            return; // a failed apply is already being retried
        }
        List<Drift> drift = new ArrayList<>();
        try {
            drift.addAll(router.drift(target));
            drift.addAll(loopback.drift(target.addresses()));
        } catch (ApplyException e) {
            routerStatus = new StatusSnapshot.Router(router.daemon(), "error", wallMillis.getAsLong(), 0,
                    "drift check: " + e.getMessage(), 0, routerStatus.driftRepairs());
            log.warn("{}: cannot check for drift: {}", router.daemon(), e.getMessage());
            failed(target);
            return;
        }
        if (drift.isEmpty()) {
            return;
        }
        for (Drift d : drift) {
            try (var f = LogFields.of("event", "drift", "kind", d.kind(), "daemon", router.daemon())) {
                log.warn("drift ({}): {}; repairing", d.kind(), d.detail());
            }
            metrics.increment(Metric.DRIFT_REPAIRS, d.kind());
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
     *
     * @return whether the daemon confirmed that nothing of rhid's is announced
     */
    boolean withdrawAll() {
        long started = ticker.nanos();
        DesiredState current = applied;
        var keep = fixed.addresses().removeWhenDown() || current == null ? new TreeSet<Prefix>() : current.addresses();
        DesiredState target = new DesiredState(keep, new TreeMap<>());
        if (converge(target, true, true)) { // even if nothing seems announced: the daemon may know better
            log.info("stopped: everything rhid announced is withdrawn");
            return true;
        }
        log.warn("{}: withdrawal on stop failed ({}); retrying with the daemon's fallback for up to {}", router.daemon(),
                routerStatus.error(), Durations.format(Withdrawal.BOUND));
        Duration left = Withdrawal.BOUND.minusNanos(ticker.nanos() - started);
        Withdrawal.Result r;
        try {
            r = Withdrawal.untilConfirmed(router, left.isNegative() ? Duration.ZERO : left, ticker::nanos, pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r = new Withdrawal.Result(false, "interrupted", 0, List.of());
        }
        if (!r.confirmed()) {
            log.error("{}: could not confirm the withdrawal on stop after {} attempts: {}; `rhid withdraw-all` (the unit's "
                    + "ExecStopPost) tries again", router.daemon(), r.attempts(), r.message());
            return false;
        }
        applied = new DesiredState(current == null ? new TreeSet<>() : current.addresses(), new TreeMap<>());
        state = IN_SYNC;
        log.info("stopped: {} (attempt {})", r.message(), r.attempts());
        try {
            loopback.retainOnly(keep);
        } catch (ApplyException e) {
            log.error("stopped with everything withdrawn, but {}", e.getMessage());
        }
        writeRecord(new TreeSet<>(), applied);
        return true;
    }

    /**
     * Before an apply that announces something new, records the union of what was and what will
     * be announced: a rhid killed between the daemon's reload and the record's update leaves a
     * record that still names every prefix the daemon may announce, for withdraw-all and for
     * ExaBGP's start-up withdrawal.
     */
    private void recordAhead(DesiredState before, DesiredState next) {
        SortedMap<Prefix, Announcement> union = new TreeMap<>(next.announcements());
        if (before != null) {
            before.announcements().forEach(union::putIfAbsent);
        }
        if (record != null && union.keySet().stream().map(Prefix::toString).allMatch(record.announced()::contains)) {
            return;
        }
        SortedSet<Prefix> addresses = new TreeSet<>(next.addresses());
        if (before != null) {
            addresses.addAll(before.addresses());
        }
        writeRecord(union.keySet(), new DesiredState(addresses, union));
    }

    /** Records what is applied in the state dir for withdraw-all; a failure is logged, never fatal. */
    private void writeRecord(Set<Prefix> announced, DesiredState current) {
        AppliedRecord next;
        Instant now = Instant.ofEpochMilli(wallMillis.getAsLong());
        try {
            // Only FRR's network lines are recorded; BIRD's file is not rendered again for this.
            String rendered = fixed.router().daemon() == RouterConfig.Daemon.FRR
                    ? router.render(current == null ? DesiredState.EMPTY : current) : "";
            next = AppliedRecord.of(fixed, announced, rendered, loopback.ownedAddresses(), now);
        } catch (ApplyException e) {
            next = AppliedRecord.of(fixed, announced, "", List.of(), now);
        }
        if (next.sameAs(record)) {
            return;
        }
        try {
            next.write(fixed.stateDir());
            record = next;
            recordError = null;
        } catch (IOException e) {
            String why = AtomicFiles.describe(e);
            if (!why.equals(recordError)) {
                log.error("cannot write {}: {}; `rhid withdraw-all` needs a readable config until it can",
                        AppliedRecord.file(fixed.stateDir()), why);
            }
            recordError = why;
        }
    }
}
