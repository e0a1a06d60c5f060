package io.rhid.agent.schedule;

import io.rhid.agent.config.Timing;
import io.rhid.agent.health.RiseFall;

/**
 * When a check runs next: the pure scheduling rule.
 *
 * <p>While a change is being confirmed (the last result disagrees with the confirmed state), the
 * check re-runs {@code fast_interval} after the previous run finished, so confirming a failure
 * costs fast intervals rather than whole intervals; a confirming run starts only after the
 * previous one finished, so one check never runs twice at once. Otherwise the check keeps a fixed
 * grid anchored at its first run: the next start is the first grid point after the previous run
 * finished, so runs do not drift by their own durations.
 */
final class NextRun {

    private NextRun() {
    }

    /**
     * @param anchor   a grid point: the (splayed) time of the check's first run
     * @param finished when the previous run finished
     * @return the time of the next run
     */
    static long after(Timing timing, RiseFall health, long anchor, long finished) {
        long interval = timing.interval().toNanos();
        long fast = timing.fastInterval().toNanos();
        if (health.confirming() && fast < interval) {
            return finished + fast;
        }
        long elapsed = finished - anchor;
        if (elapsed < 0) {
            return anchor;
        }
        return anchor + (elapsed / interval + 1) * interval;
    }
}
