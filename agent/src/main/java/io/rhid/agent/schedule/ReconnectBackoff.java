package io.rhid.agent.schedule;

import java.time.Duration;
import java.util.Objects;

/**
 * When a watch connection is made again after it closed or failed; pure.
 *
 * <p>A connection that stayed open at least {@code stable} (a server closing idle connections
 * after its keep-alive timeout) is replaced at once. Anything shorter, and every refused or timed
 * out attempt, counts as a failure: the next attempt waits {@code min}, doubling per consecutive
 * failure up to {@code max}. So a server that closes every connection at once gets at most one
 * connection per {@code max} once the streak is long, and never more than one per {@code stable}
 * otherwise.
 *
 * @param min    the wait after the first failure
 * @param max    the longest wait
 * @param stable how long a connection must have stayed open for its close to reset the streak
 */
record ReconnectBackoff(Duration min, Duration max, Duration stable) {

    /** 50ms, doubling to 2s; a connection open for 1s is stable. */
    static final ReconnectBackoff DEFAULT = new ReconnectBackoff(Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofSeconds(1));

    ReconnectBackoff {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(stable, "stable");
    }

    /**
     * The failure streak after a connection ended.
     *
     * @param failures  the streak before
     * @param openNanos how long the connection was open; negative when it never opened
     */
    int failuresAfter(int failures, long openNanos) {
        return openNanos >= stable.toNanos() ? 0 : Math.min(failures + 1, 62);
    }

    /** The wait before the next attempt, given the failure streak. */
    long delayNanos(int failures) {
        if (failures <= 0) {
            return 0;
        }
        long cap = max.toNanos();
        long d = min.toNanos();
        for (int i = 1; i < failures && d < cap; i++) {
            d *= 2;
        }
        return Math.min(d, cap);
    }
}
