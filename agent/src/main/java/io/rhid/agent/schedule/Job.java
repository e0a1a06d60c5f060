package io.rhid.agent.schedule;

import io.rhid.agent.config.Timing;
import io.rhid.agent.config.WatchTargets;
import io.rhid.agent.health.RiseFall;
import io.rhid.checks.internal.Redaction;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeResult;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One check's schedule, rise/fall state and run lifecycle (due, waiting for a slot, in flight,
 * complete); touched by the timer, runner and watch threads, its mutable state guarded by its own
 * monitor, and never two runs of one check at once.
 */
final class Job {

    /** The scheduler's logger: operators filter probe scheduling by that one name. */
    private static final Logger log = LoggerFactory.getLogger(ProbeScheduler.class);

    /** What every job of one scheduler shares. */
    record Context(Timer timer, Ticker ticker, LongSupplier wallMillis, Consumer<CheckUpdate> sink, RunSlots slots,
                   EndpointLinks links) {
    }

    private final Context ctx;
    private final CheckKey key;
    private final Timing timing;
    private final Probe probe;
    private final String endpoint;
    /** Whether this check watches its endpoint; fixed for the job's life. */
    private final boolean watched;
    private final long anchor;
    private RiseFall health;
    private Timer.Scheduled pending;
    private boolean inFlight;
    private boolean stopped;
    private boolean rerun;
    /** The watch saw a close during the run in progress. */
    private boolean rerunIfPassed;
    /**
     * When a watch close or a sibling's alert asked for a run that has not started yet; MAX_VALUE
     * when none did.
     */
    private long askedDue = Long.MAX_VALUE;
    /** This run was started because a sibling saw a change; it does not alert in turn. */
    private boolean forSibling;
    /** A run was asked for by {@link #runNow} and has not started yet. */
    private boolean asked;
    /** The run in progress is one that was asked for. */
    private boolean runAsked;

    Job(Context ctx, CheckKey key, Timing timing, Probe probe, String endpoint, RiseFall health, long anchor) {
        this.ctx = ctx;
        this.key = key;
        this.timing = timing;
        this.probe = probe;
        this.endpoint = endpoint;
        this.watched = timing.watch() && WatchTargets.address(endpoint).isPresent();
        this.health = health;
        this.anchor = anchor;
    }

    CheckKey key() {
        return key;
    }

    Timing timing() {
        return timing;
    }

    String endpoint() {
        return endpoint;
    }

    boolean watched() {
        return watched;
    }

    /** Schedules the first run, at the splayed anchor of the check's grid. */
    void schedule() {
        scheduleAt(anchor);
    }

    synchronized void scheduleAt(long when) {
        if (stopped) {
            return;
        }
        if (pending != null) {
            pending.cancel();
        }
        pending = ctx.timer().schedule(this::fire, when - ctx.ticker().nanos());
    }

    synchronized void runNow() {
        if (stopped) {
            return;
        }
        asked = true;
        if (inFlight) {
            rerun = true;
            return;
        }
        scheduleAt(ctx.ticker().nanos());
    }

    /**
     * Runs at {@code when} if this check is idle and agrees with {@code confirmedUp}, with
     * nothing to confirm; returns whether it will.
     */
    synchronized boolean runForSibling(boolean confirmedUp, long when) {
        if (stopped || inFlight || health.up() != confirmedUp || health.confirming()) {
            return false;
        }
        forSibling = true;
        askedDue = Math.min(askedDue, when);
        scheduleAt(when);
        return true;
    }

    /**
     * Runs at {@code when} if this check is idle, confirmed up and not confirming; returns
     * whether it will. Unlike a sibling's alert, a failure it finds alerts the siblings that
     * do not watch.
     */
    synchronized boolean runForWatch(long when) {
        if (stopped || !health.up() || health.confirming()) {
            return false;
        }
        if (inFlight) {
            // The run in progress may have passed just before the close: look again after it,
            // unless it fails, in which case fast_interval paces the confirmation as usual.
            rerunIfPassed = true;
            return true;
        }
        askedDue = Math.min(askedDue, when);
        scheduleAt(when);
        return true;
    }

    /**
     * Schedules the run after the one that just finished. A watch close or a sibling's alert
     * that came between that run's end and this call (while its result was being published)
     * asked for an earlier run, which this must not cancel.
     */
    private synchronized void scheduleAfterRun(long next) {
        scheduleAt(Math.min(next, askedDue));
    }

    private void fire() {
        synchronized (this) {
            if (stopped || inFlight) {
                return;
            }
            pending = null;
            inFlight = true;
            askedDue = Long.MAX_VALUE;
            runAsked = asked;
            asked = false;
        }
        ctx.slots().admit(this);
    }

    /** The runner refused the run (it is shutting down): the check simply stops running. */
    synchronized void abandon() {
        inFlight = false;
    }

    /** The run itself, on a runner thread, holding one of the slots. */
    void run() {
        long started = ctx.ticker().nanos();
        ProbeResult result;
        try {
            result = runProbe();
        } finally {
            ctx.slots().release(endpoint, true);
        }
        complete(result, started, ctx.ticker().nanos());
    }

    /** Records a run's result (or a run that never started), publishes it and schedules the next. */
    void complete(ProbeResult result, long started, long finished) {
        RiseFall before;
        RiseFall after;
        long next;
        boolean closeNow;
        boolean alert;
        boolean wasAsked;
        synchronized (this) {
            before = health;
            after = before.record(result.passed(), timing.rise(), timing.fall());
            health = after;
            inFlight = false;
            closeNow = stopped;
            next = rerun || rerunIfPassed && result.passed() ? finished : NextRun.after(timing, after, anchor, finished);
            rerun = false;
            rerunIfPassed = false;
            // The first result that disagrees with the confirmed state: with fall (or rise) 1 it
            // flips the state at once and no streak is ever seen, so test the result itself.
            alert = !forSibling && result.passed() != before.up() && before.streak() == 0;
            forSibling = false;
            wasAsked = runAsked;
            runAsked = false;
        }
        if (closeNow) {
            closeProbe();
            return;
        }
        // Publish before scheduling: the control loop is waiting for this result.
        ctx.sink().accept(new CheckUpdate(key, result, after, before, started, finished, ctx.wallMillis().getAsLong(),
                wasAsked));
        scheduleAfterRun(next);
        if (alert) {
            ctx.links().alertSiblings(this, before.up());
        }
    }

    private ProbeResult runProbe() {
        try {
            ProbeResult r = probe.run();
            if (r == null) {
                return ProbeResult.failure("probe returned no result");
            }
            // Reasons reach status, logs and metric labels: a URL in one (a redirect target,
            // a library's error message) is shown without its credentials.
            String reason = Redaction.urlsIn(r.reason());
            return reason.equals(r.reason()) ? r : new ProbeResult(r.passed(), reason);
        } catch (RuntimeException | StackOverflowError e) {
            log.error("{}: probe threw instead of returning a failure (a bug in the probe)", key, e);
            return ProbeResult.failure("probe error: " + e.getClass().getSimpleName());
        }
    }

    /** Stops scheduling; the probe is closed now, or by the run in progress when it ends. */
    void stop() {
        boolean closeNow;
        synchronized (this) {
            stopped = true;
            if (pending != null) {
                pending.cancel();
                pending = null;
            }
            closeNow = !inFlight;
        }
        if (!closeNow && ctx.slots().unqueue(this)) {
            // It was waiting for a slot, not running: nothing will close the probe later.
            synchronized (this) {
                inFlight = false;
            }
            closeNow = true;
        }
        if (closeNow) {
            closeProbe();
        }
    }

    private void closeProbe() {
        try {
            probe.close();
        } catch (RuntimeException e) {
            log.warn("{}: closing probe failed: {}", key, e.toString());
        }
    }
}
