package io.rhid.agent.schedule;

import io.rhid.agent.config.Timing;
import io.rhid.agent.config.WatchTargets;
import io.rhid.agent.health.RiseFall;
import io.rhid.checks.internal.Reasons;
import io.rhid.checks.internal.Redaction;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeResult;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every check's probe on its schedule and sends each outcome, with the check's new rise/fall
 * state, to a sink (the control loop's queue). The only class that owns probe threads.
 *
 * <p>Threading: the timer thread only decides when to run and hands the run to {@code runner};
 * runs of different checks proceed concurrently on the runner's threads, never two runs of one
 * check at once. Each check's mutable state is guarded by its own lock. Rise/fall is computed
 * here, as each run completes, because the next run's delay depends on it.
 *
 * <p>Checks that probe the same endpoint (the same server: transport, address and port, whatever
 * the check type) are linked: when one of them gets the first result that disagrees with its
 * confirmed state, the others that agreed run at once, so a server's death is confirmed for every
 * service behind it together rather than spread over an interval of their splayed schedules.
 * When the news is a pass (the siblings are down: at start-up, or the server is back), their runs
 * are spread over a few milliseconds ({@link #SIBLING_STEP_NANOS} apart, at most
 * {@link #SIBLING_SPREAD_NANOS} in all) instead of starting at one instant: fifty TLS handshakes
 * begun together would be an overload the checker itself creates and then reports as the
 * server's failure. When the news is a failure they run at once, since probes of a dead server
 * cost it nothing and withdrawals should not wait.
 *
 * <p>Runs in flight are bounded, so threads and memory stay flat however many checks there are
 * and however slow their servers: at most {@code maxRuns} at once, and at most
 * {@code maxRunsPerEndpoint} against one endpoint, so that a server that hangs (thousands of
 * checks of an address that drops SYNs) holds a few threads rather than starving the checks of
 * healthy servers. A run that finds no free slot waits, first come first served, and one that
 * cannot start within its check's timeout is reported as a timeout without being run, as it
 * would have been had it started and hung.
 *
 * <p>Checks whose timing has {@code watch} on also keep one idle connection per endpoint open
 * ({@link ConnectionWatch}, one thread for all): when the server closes or resets it, or refuses a
 * new one, the endpoint's watching checks that are confirmed up and not confirming run at once. A
 * close is a reason to look, not a failure: confirmation still takes {@code fall} failures
 * {@code fast_interval} apart, and a check that passes simply resumes its grid.
 */
public final class ProbeScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProbeScheduler.class);

    /** Between two sibling runs started by one alert. */
    static final long SIBLING_STEP_NANOS = 500_000;
    /** The most an alert's sibling runs are spread over, however many siblings there are. */
    static final long SIBLING_SPREAD_NANOS = 20_000_000;
    /**
     * Probe runs in flight at once, over all checks. A run normally takes a millisecond or less,
     * so this is reached only when servers hang or exec checks are slow; a thread costs ~100 KB
     * of RSS, so the bound costs at most a few MB.
     */
    public static final int MAX_RUNS = 64;
    /** Runs in flight at once against one endpoint (HTTP probes further allow 4 requests per server). */
    public static final int MAX_RUNS_PER_ENDPOINT = 16;

    private final Timer timer;
    private final Executor runner;
    private final Ticker ticker;
    private final LongSupplier wallMillis;
    private final RandomGenerator random;
    private final Consumer<CheckUpdate> sink;
    private final Map<CheckKey, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, Set<CheckKey>> byEndpoint = new ConcurrentHashMap<>();
    private final int maxRuns;
    private final int maxRunsPerEndpoint;
    /** Guards {@link #running}, {@link #runningByEndpoint}, {@link #waiting} and each job's expiry. */
    private final Object slots = new Object();
    private int running;
    private final Map<String, Integer> runningByEndpoint = new HashMap<>();
    /** Runs due but not started for want of a slot, oldest first. */
    private final Set<Job> waiting = new LinkedHashSet<>();
    private final ConnectionWatch watch;

    public ProbeScheduler(Timer timer, Executor runner, Ticker ticker, LongSupplier wallMillis,
                          RandomGenerator random, Consumer<CheckUpdate> sink) {
        this(timer, runner, ticker, wallMillis, random, sink, MAX_RUNS, MAX_RUNS_PER_ENDPOINT);
    }

    /**
     * @param maxRuns            probe runs in flight at once, at most
     * @param maxRunsPerEndpoint of those, against one endpoint
     */
    public ProbeScheduler(Timer timer, Executor runner, Ticker ticker, LongSupplier wallMillis,
                          RandomGenerator random, Consumer<CheckUpdate> sink, int maxRuns, int maxRunsPerEndpoint) {
        this(timer, runner, ticker, wallMillis, random, sink, maxRuns, maxRunsPerEndpoint, ReconnectBackoff.DEFAULT);
    }

    ProbeScheduler(Timer timer, Executor runner, Ticker ticker, LongSupplier wallMillis, RandomGenerator random,
                   Consumer<CheckUpdate> sink, int maxRuns, int maxRunsPerEndpoint, ReconnectBackoff backoff) {
        if (maxRuns < 1 || maxRunsPerEndpoint < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxRuns + ", " + maxRunsPerEndpoint);
        }
        this.maxRuns = maxRuns;
        this.maxRunsPerEndpoint = maxRunsPerEndpoint;
        this.watch = new ConnectionWatch(this::connectionLost, backoff);
        this.timer = timer;
        this.runner = runner;
        this.ticker = ticker;
        this.wallMillis = wallMillis;
        this.random = random;
        this.sink = sink;
    }

    /**
     * Starts running {@code probe} for {@code key}. The first run is delayed by a random splay
     * within one interval so that checks started together do not run in lockstep.
     *
     * @param endpoint the server the probe talks to ({@code ProbeSpec.endpoint()}: transport, address
     *                 and port, such as {@code tcp 127.0.0.1:8080}, whatever the check's type)
     */
    public void start(CheckKey key, Timing timing, Probe probe, String endpoint) {
        start(key, timing, probe, endpoint, RiseFall.INITIAL);
    }

    /** Starts a check from a given rise/fall state: tests begin with checks confirmed up. */
    void start(CheckKey key, Timing timing, Probe probe, String endpoint, RiseFall initial) {
        long splay = random.nextLong(Math.max(1, timing.interval().toNanos()));
        Job job = new Job(key, timing, probe, endpoint, initial, ticker.nanos() + splay);
        Job old = jobs.put(key, job);
        if (job.watched) {
            // Before the old job lets go of it: a restarted check keeps its endpoint's connection.
            watch.add(endpoint, WatchTargets.address(endpoint).orElseThrow());
        }
        if (old != null) {
            old.stop();
            unlink(old);
        }
        byEndpoint.computeIfAbsent(endpoint, e -> ConcurrentHashMap.newKeySet()).add(key);
        job.scheduleAt(job.anchor);
    }

    /** Stops the check; its probe is closed once any run in progress has finished. */
    public void stop(CheckKey key) {
        Job job = jobs.remove(key);
        if (job != null) {
            job.stop();
            unlink(job);
        }
    }

    private void unlink(Job job) {
        Set<CheckKey> siblings = byEndpoint.get(job.endpoint);
        if (siblings != null) {
            siblings.remove(job.key);
        }
        if (job.watched) {
            watch.remove(job.endpoint);
        }
    }

    /**
     * The watch connection to {@code endpoint} closed or was refused: its watching checks that are
     * confirmed up, and not already confirming a change, run now, spread like a sibling alert's
     * passing news ({@link #SIBLING_STEP_NANOS} apart): the close may be a live server's idle
     * timeout, which must not become a burst of every check at one instant. The first run starts
     * at once, and if it fails its alert runs the rest at once. Called on the watch thread, so it
     * only schedules.
     */
    private void connectionLost(String endpoint) {
        Set<CheckKey> keys = byEndpoint.get(endpoint);
        if (keys == null) {
            return;
        }
        long step = Math.min(SIBLING_STEP_NANOS, SIBLING_SPREAD_NANOS / Math.max(1, keys.size()));
        int started = 0;
        long now = ticker.nanos();
        for (CheckKey k : keys) {
            Job job = jobs.get(k);
            if (job != null && job.watched && job.runForWatch(now + started * step)) {
                started++;
            }
        }
        if (started > 0) {
            log.debug("{}: watch connection lost; running {} checks now", endpoint, started);
        }
    }

    /** Runs, now, the checks sharing {@code from}'s endpoint that still agree with its old state. */
    private void alertSiblings(Job from, boolean confirmedUp) {
        Set<CheckKey> siblings = byEndpoint.get(from.endpoint);
        if (siblings == null || siblings.size() < 2) {
            return;
        }
        long step = confirmedUp ? 0 : Math.min(SIBLING_STEP_NANOS, SIBLING_SPREAD_NANOS / siblings.size());
        long now = ticker.nanos();
        int started = 0;
        for (CheckKey k : siblings) {
            Job sibling = jobs.get(k);
            if (sibling != null && sibling != from && sibling.runForSibling(confirmedUp, now + started * step)) {
                started++;
            }
        }
    }

    /** Runs the check now (or right after the run in progress), then resumes its schedule. */
    public void runNow(CheckKey key) {
        Job job = jobs.get(key);
        if (job != null) {
            job.runNow();
        }
    }

    public Set<CheckKey> keys() {
        return Set.copyOf(jobs.keySet());
    }

    @Override
    public void close() {
        for (CheckKey key : keys()) {
            stop(key);
        }
        watch.close();
    }

    /** Starts {@code job}'s run now if a slot is free, or queues it until one is or its timeout passes. */
    private void admit(Job job) {
        synchronized (slots) {
            if (!hasSlot(job.endpoint)) {
                waiting.add(job);
                job.queuedAt = ticker.nanos();
                job.expiry = timer.schedule(() -> expire(job), job.timing.timeout().toNanos());
                return;
            }
            take(job.endpoint);
        }
        execute(job);
    }

    private boolean hasSlot(String endpoint) {
        return running < maxRuns && runningByEndpoint.getOrDefault(endpoint, 0) < maxRunsPerEndpoint;
    }

    private void take(String endpoint) {
        running++;
        runningByEndpoint.merge(endpoint, 1, Integer::sum);
    }

    private void execute(Job job) {
        try {
            runner.execute(job::run);
        } catch (RuntimeException rejected) {
            // The runner is shutting down; the check simply stops.
            release(job.endpoint, false);
            job.abandon();
        }
    }

    /** Frees a finished run's slot and, if {@code dispatch}, starts the oldest waiting run it lets in. */
    private void release(String endpoint, boolean dispatch) {
        Job next = null;
        synchronized (slots) {
            running--;
            runningByEndpoint.computeIfPresent(endpoint, (e, n) -> n == 1 ? null : n - 1);
            if (dispatch) {
                for (Iterator<Job> it = waiting.iterator(); it.hasNext(); ) {
                    Job j = it.next();
                    if (hasSlot(j.endpoint)) {
                        it.remove();
                        j.expiry.cancel();
                        j.expiry = null;
                        take(j.endpoint);
                        next = j;
                        break;
                    }
                }
            }
        }
        if (next != null) {
            execute(next);
        }
    }

    /** The timer's task for a run still waiting when its timeout has passed: it fails unstarted. */
    private void expire(Job job) {
        String why;
        synchronized (slots) {
            if (!waiting.remove(job)) {
                return; // it started meanwhile
            }
            job.expiry = null;
            why = runningByEndpoint.getOrDefault(job.endpoint, 0) >= maxRunsPerEndpoint
                    ? maxRunsPerEndpoint + " runs of this endpoint in flight"
                    : maxRuns + " probe runs in flight";
        }
        // "timeout after ..." first: the failure counts as a timeout (rhid_check_failures_total's
        // reason class) and the rest says why it was never sent.
        job.complete(ProbeResult.failure(Reasons.timeout(job.timing.timeout()) + " waiting to start: " + why),
                job.queuedAt, ticker.nanos());
    }

    /** Takes a stopped job out of the queue; returns whether it was waiting there. */
    private boolean unqueue(Job job) {
        synchronized (slots) {
            if (!waiting.remove(job)) {
                return false;
            }
            job.expiry.cancel();
            job.expiry = null;
            return true;
        }
    }

    /** Probe runs in flight and runs waiting for a slot (tests). */
    int[] load() {
        synchronized (slots) {
            return new int[] {running, waiting.size()};
        }
    }

    private final class Job {
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
        /** When a watch close asked for a run that has not started yet; MAX_VALUE when none did. */
        private long watchDue = Long.MAX_VALUE;
        /** This run was started because a sibling saw a change; it does not alert in turn. */
        private boolean forSibling;
        /** While the run waits for a slot: when it was queued, and its timeout's timer task (guarded by slots). */
        private long queuedAt;
        private Timer.Scheduled expiry;

        Job(CheckKey key, Timing timing, Probe probe, String endpoint, RiseFall health, long anchor) {
            this.key = key;
            this.timing = timing;
            this.probe = probe;
            this.endpoint = endpoint;
            this.watched = timing.watch() && WatchTargets.address(endpoint).isPresent();
            this.health = health;
            this.anchor = anchor;
        }

        synchronized void scheduleAt(long when) {
            if (stopped) {
                return;
            }
            if (pending != null) {
                pending.cancel();
            }
            pending = timer.schedule(this::fire, when - ticker.nanos());
        }

        synchronized void runNow() {
            if (stopped) {
                return;
            }
            if (inFlight) {
                rerun = true;
                return;
            }
            scheduleAt(ticker.nanos());
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
            watchDue = Math.min(watchDue, when);
            scheduleAt(when);
            return true;
        }

        /**
         * Schedules the run after the one that just finished. A close that came between that
         * run's end and this call asked for an earlier run, which this must not cancel.
         */
        synchronized void scheduleAfterRun(long next) {
            scheduleAt(Math.min(next, watchDue));
        }

        private void fire() {
            synchronized (this) {
                if (stopped || inFlight) {
                    return;
                }
                pending = null;
                inFlight = true;
                watchDue = Long.MAX_VALUE;
            }
            admit(this);
        }

        synchronized void abandon() {
            inFlight = false;
        }

        private void run() {
            long started = ticker.nanos();
            ProbeResult result;
            try {
                result = runProbe();
            } finally {
                release(endpoint, true);
            }
            complete(result, started, ticker.nanos());
        }

        /** Records a run's result (or a run that never started), publishes it and schedules the next. */
        void complete(ProbeResult result, long started, long finished) {
            RiseFall before;
            RiseFall after;
            long next;
            boolean closeNow;
            boolean alert;
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
            }
            if (closeNow) {
                closeProbe();
                return;
            }
            // Publish before scheduling: the control loop is waiting for this result.
            sink.accept(new CheckUpdate(key, result, after, before, started, finished, wallMillis.getAsLong()));
            scheduleAfterRun(next);
            if (alert) {
                alertSiblings(this, before.up());
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
            if (!closeNow && unqueue(this)) {
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
}
