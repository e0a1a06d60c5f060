package io.rhid.agent.health;

import java.util.Objects;

/**
 * What is known of one check after its last result: its rise/fall state as the scheduler computed
 * it, the result itself, and the last failure (which says why a check that passes again is still
 * down).
 *
 * @param failureReason the reason of the last failed result; null if it never failed
 * @param failureStreak consecutive failures at that failed result
 */
public record CheckRecord(RiseFall health, boolean passed, String reason, long latencyNanos, long finishedAtMillis,
                          String failureReason, int failureStreak) {

    public CheckRecord {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(reason, "reason");
    }

    /** This record followed by a new result. */
    public static CheckRecord next(CheckRecord before, RiseFall health, boolean passed, String reason, long latencyNanos,
                                   long finishedAtMillis) {
        String failureReason = passed ? before == null ? null : before.failureReason : reason;
        int failureStreak = passed ? before == null ? 0 : before.failureStreak : health.consecutiveFailures();
        return new CheckRecord(health, passed, reason, latencyNanos, finishedAtMillis, failureReason, failureStreak);
    }
}
