package io.rhid.agent.schedule;

import java.time.Duration;
import java.util.Objects;

/**
 * What a watch connection's end means and when the next one is made; pure.
 *
 * <p>Two streaks are kept per endpoint. A refused attempt is news: nothing listens, so the
 * endpoint's checks run. An attempt that is not connected in time is not: a listener whose accept
 * queue is full drops connections, and running every check of it at once would only add to its
 * load (its probes find it on their own schedule). After either, the next attempt waits
 * {@code min}, doubling per failure up to {@code max}. A connection that closes
 * after staying open at least {@code stable} (a server's idle timeout, or its death) is news too,
 * and is replaced at once. A connection that closes sooner is news only the first time in a row:
 * a server that closes every connection at once would otherwise run the checks on every
 * reconnect; its next connection waits {@code min}, doubling per such close up to {@code max}. A
 * death in that case still shows as the next attempt's refusal.
 *
 * @param min    the wait after the first failure or short connection
 * @param max    the longest wait
 * @param stable how long a connection must stay open for its close to count as the end of a
 *               healthy connection
 */
record ReconnectBackoff(Duration min, Duration max, Duration stable) {

    /** 50ms, doubling to 2s; a connection open for 1s is stable. */
    static final ReconnectBackoff DEFAULT = new ReconnectBackoff(Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofSeconds(1));

    private static final int MAX_STREAK = 62;

    ReconnectBackoff {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(stable, "stable");
    }

    /** One endpoint's streaks: attempts that failed in a row, connections that closed young in a row. */
    record Streaks(int failedAttempts, int shortCloses) {
        static final Streaks NONE = new Streaks(0, 0);
    }

    /**
     * What follows an event.
     *
     * @param streaks    the endpoint's streaks after it
     * @param delayNanos the wait before the next attempt
     * @param trigger    whether the endpoint's checks should run now
     */
    record Next(Streaks streaks, long delayNanos, boolean trigger) {
    }

    /** A connection was made: the failed attempts are over; a short-close streak goes on. */
    Streaks connected(Streaks s) {
        return new Streaks(0, s.shortCloses());
    }

    /**
     * An attempt failed: {@code refused} (or reset, or unreachable: an answer that nothing
     * accepts), or not connected in time.
     */
    Next attemptFailed(Streaks s, boolean refused) {
        int n = Math.min(s.failedAttempts() + 1, MAX_STREAK);
        // Whatever the server did with connections before it went away starts afresh when it is back.
        return new Next(new Streaks(n, 0), delayNanos(n), refused);
    }

    /** The server closed or reset a connection that had been open {@code openNanos}. */
    Next closed(Streaks s, long openNanos) {
        if (openNanos >= stable.toNanos()) {
            return new Next(Streaks.NONE, 0, true);
        }
        int n = Math.min(s.shortCloses() + 1, MAX_STREAK);
        return new Next(new Streaks(0, n), delayNanos(n), n == 1);
    }

    /** {@code min} doubled per step after the first, capped at {@code max}; 0 for no streak. */
    long delayNanos(int streak) {
        if (streak <= 0) {
            return 0;
        }
        long cap = max.toNanos();
        long d = min.toNanos();
        for (int i = 1; i < streak && d < cap; i++) {
            d *= 2;
        }
        return Math.min(d, cap);
    }
}
