package io.rhid.agent.schedule;

import io.rhid.checks.internal.Reasons;
import io.rhid.checks.spi.ProbeResult;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The bound on probe runs in flight, at most {@code maxRuns} at once and {@code maxRunsPerEndpoint}
 * against one endpoint, with a first-come-first-served queue for runs that find no free slot;
 * called from the timer and runner threads, its counts and queue guarded by one lock.
 *
 * <p>The per-endpoint bound is why a server that hangs (thousands of checks of an address that
 * drops SYNs) holds a few threads rather than starving the checks of healthy servers. A run that
 * cannot start within its check's timeout is reported as a timeout without being run, as it would
 * have been had it started and hung.
 */
final class RunSlots {

    /** A run due but not started for want of a slot: when it was queued, and its timeout's timer task. */
    private record Waiting(long queuedAt, Timer.Scheduled expiry) {
    }

    private final Timer timer;
    private final Ticker ticker;
    private final Executor runner;
    private final int maxRuns;
    private final int maxRunsPerEndpoint;
    /** Guards {@link #running}, {@link #runningByEndpoint} and {@link #waiting}. */
    private final Object lock = new Object();
    private int running;
    private final Map<String, Integer> runningByEndpoint = new HashMap<>();
    /** Runs due but not started for want of a slot, oldest first. */
    private final Map<Job, Waiting> waiting = new LinkedHashMap<>();

    RunSlots(Timer timer, Ticker ticker, Executor runner, int maxRuns, int maxRunsPerEndpoint) {
        if (maxRuns < 1 || maxRunsPerEndpoint < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxRuns + ", " + maxRunsPerEndpoint);
        }
        this.timer = timer;
        this.ticker = ticker;
        this.runner = runner;
        this.maxRuns = maxRuns;
        this.maxRunsPerEndpoint = maxRunsPerEndpoint;
    }

    /** Starts {@code job}'s run now if a slot is free, or queues it until one is or its timeout passes. */
    void admit(Job job) {
        synchronized (lock) {
            if (!hasSlot(job.endpoint())) {
                long now = ticker.nanos();
                waiting.put(job, new Waiting(now, timer.schedule(() -> expire(job), job.timing().timeout().toNanos())));
                return;
            }
            take(job.endpoint());
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
            release(job.endpoint(), false);
            job.abandon();
        }
    }

    /** Frees a finished run's slot and, if {@code dispatch}, starts the oldest waiting run it lets in. */
    void release(String endpoint, boolean dispatch) {
        Job next = null;
        synchronized (lock) {
            running--;
            runningByEndpoint.computeIfPresent(endpoint, (e, n) -> n == 1 ? null : n - 1);
            if (dispatch) {
                for (Iterator<Map.Entry<Job, Waiting>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<Job, Waiting> e = it.next();
                    if (hasSlot(e.getKey().endpoint())) {
                        it.remove();
                        e.getValue().expiry().cancel();
                        take(e.getKey().endpoint());
                        next = e.getKey();
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
        Waiting w;
        String why;
        synchronized (lock) {
            w = waiting.remove(job);
            if (w == null) {
                return; // it started meanwhile
            }
            why = runningByEndpoint.getOrDefault(job.endpoint(), 0) >= maxRunsPerEndpoint
                    ? maxRunsPerEndpoint + " runs of this endpoint in flight"
                    : maxRuns + " probe runs in flight";
        }
        // "timeout after ..." first: the failure counts as a timeout (rhid_check_failures_total's
        // reason class) and the rest says why it was never sent.
        job.complete(ProbeResult.failure(Reasons.timeout(job.timing().timeout()) + " waiting to start: " + why),
                w.queuedAt(), ticker.nanos());
    }

    /** Takes a stopped job out of the queue; returns whether it was waiting there. */
    boolean unqueue(Job job) {
        synchronized (lock) {
            Waiting w = waiting.remove(job);
            if (w == null) {
                return false;
            }
            w.expiry().cancel();
            return true;
        }
    }

    /** Probe runs in flight and runs waiting for a slot (tests). */
    int[] load() {
        synchronized (lock) {
            return new int[] {running, waiting.size()};
        }
    }
}
