package io.rhid.agent.control;

import io.rhid.agent.schedule.Ticker;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control loop's queue: events in arrival order, of which only some wake the loop at once.
 * Posting is safe from any thread and never blocks; taking and waiting are the loop's.
 *
 * <p>Most probe results change nothing the loop decides on: a check that was passing and up passes
 * again, or one that was failing and down fails again. Waking the loop for each of them cost more
 * CPU than the probes themselves (a thread wake-up and a status rebuild per result, 250 a second
 * with 50 checks at 200 ms; 16 % of a core with 1,000 checks of a dead server). Such a result
 * is posted {@linkplain #postQuietly quietly}: it waits in the queue, in order with everything
 * else, until a loud event wakes the loop or, at the latest, {@link #QUIET_FLUSH_NANOS} after the
 * oldest quiet event came, so status and metrics lag by at most that.
 */
final class Inbox {

    /** The longest a quiet event waits to be taken: how stale the status's "last result" can be. */
    static final long QUIET_FLUSH_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long NONE = Long.MIN_VALUE;

    private final Ticker ticker;
    private final ConcurrentLinkedQueue<ControlLoop.Event> events = new ConcurrentLinkedQueue<>();
    /** Released by each loud event and by the first quiet event after a take: wakes the loop's wait. */
    private final Semaphore wakeups = new Semaphore(0);
    /** Whether a loud event came since the last take. */
    private final AtomicBoolean loud = new AtomicBoolean();
    /** Ticker time of the oldest quiet event not yet taken; NONE when there is none. */
    private final AtomicLong quietSince = new AtomicLong(NONE);

    Inbox(Ticker ticker) {
        this.ticker = ticker;
    }

    /** Queues an event and wakes the loop. */
    void post(ControlLoop.Event event) {
        events.add(event);
        loud.set(true);
        wakeups.release();
    }

    /**
     * Queues an event that can wait: the loop takes it with the next loud event or by the flush
     * deadline. Only the first quiet event after a take wakes the loop, so that it can shorten
     * its wait to that deadline.
     */
    void postQuietly(ControlLoop.Event event) {
        events.add(event);
        if (quietSince.compareAndSet(NONE, ticker.nanos())) {
            wakeups.release();
        }
    }

    /**
     * How long from {@code nowNanos} until the queued quiet events must be taken (0 or less: now);
     * MAX_VALUE if none are queued. A difference, so that it holds whatever the ticker's origin.
     */
    long flushIn(long nowNanos) {
        long since = quietSince.get();
        return since == NONE ? Long.MAX_VALUE : QUIET_FLUSH_NANOS - (nowNanos - since);
    }

    /** Whether a loud event came since the last take. */
    boolean loud() {
        return loud.get();
    }

    /**
     * Waits up to {@code nanos} for a wake-up (none if not positive).
     *
     * @return whether something was posted that wakes the loop
     */
    boolean await(long nanos) throws InterruptedException {
        boolean woken = nanos <= 0 ? wakeups.tryAcquire() : wakeups.tryAcquire(nanos, TimeUnit.NANOSECONDS);
        if (woken) {
            wakeups.drainPermits();
        }
        return woken;
    }

    /**
     * Moves every queued event, in arrival order, to {@code batch}. An event posted while this runs
     * is either taken now or leaves its wake-up for the next wait (at worst an empty turn).
     */
    void takeAll(List<ControlLoop.Event> batch) {
        loud.set(false);
        quietSince.set(NONE);
        for (ControlLoop.Event e = events.poll(); e != null; e = events.poll()) {
            batch.add(e);
        }
    }
}
