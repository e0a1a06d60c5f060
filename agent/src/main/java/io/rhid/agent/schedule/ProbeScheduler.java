package io.rhid.agent.schedule;

import io.rhid.agent.config.Timing;
import io.rhid.agent.health.RiseFall;
import io.rhid.checks.spi.Probe;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Runs every check's probe on its schedule and sends each outcome, with the check's new rise/fall
 * state, to a sink (the control loop's queue); the only class that owns probe threads, safe to call
 * from any thread.
 *
 * <p>Threading: the timer thread only decides when to run and hands the run to {@code runner};
 * runs of different checks proceed concurrently on the runner's threads, never two runs of one
 * check at once ({@link Job}). Rise/fall is computed here, as each run completes, because the next
 * run's delay depends on it. Runs in flight are bounded ({@link RunSlots}), so threads and memory
 * stay flat however many checks there are and however slow their servers. Checks of one endpoint
 * are linked, and checks with {@code watch} on also run when their endpoint's idle connection is
 * lost ({@link EndpointLinks}).
 */
public final class ProbeScheduler implements AutoCloseable {

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

    private final Ticker ticker;
    private final RandomGenerator random;
    private final Map<CheckKey, Job> jobs = new ConcurrentHashMap<>();
    private final RunSlots slots;
    private final EndpointLinks links;
    private final Job.Context context;

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
        this.slots = new RunSlots(timer, ticker, runner, maxRuns, maxRunsPerEndpoint);
        this.links = new EndpointLinks(jobs::get, ticker, backoff);
        this.context = new Job.Context(timer, ticker, wallMillis, sink, slots, links);
        this.ticker = ticker;
        this.random = random;
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
        Job job = new Job(context, key, timing, probe, endpoint, initial, ticker.nanos() + splay);
        Job old = jobs.put(key, job);
        // Before the old job lets go of it: a restarted check keeps its endpoint's connection.
        links.watch(job);
        if (old != null) {
            old.stop();
            links.unlink(old);
        }
        links.link(job);
        job.schedule();
    }

    /** Stops the check; its probe is closed once any run in progress has finished. */
    public void stop(CheckKey key) {
        Job job = jobs.remove(key);
        if (job != null) {
            job.stop();
            links.unlink(job);
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
        links.close();
    }

    /** Probe runs in flight and runs waiting for a slot (tests). */
    int[] load() {
        return slots.load();
    }
}
