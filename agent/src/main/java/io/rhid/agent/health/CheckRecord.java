package io.rhid.agent.health;

import java.util.Objects;

/**
 * What is known of one check after its last result: its rise/fall state as the scheduler computed
 * it, the result itself, and the last failure (which says why a check that passes again is still
 * down).
 *
 * @param finishedNanos     when the last result finished, ticker time
 * @param failingSinceNanos when the current run of consecutive failures began (ticker time of its
 *                          first failed result); 0 while the last result passed
 * @param failureReason     the reason of the last failed result; null if it never failed
 * @param failureStreak     consecutive failures at that failed result
 */
public record CheckRecord(RiseFall health, boolean passed, String reason, long latencyNanos, long finishedNanos,
                          long finishedAtMillis, long failingSinceNanos, String failureReason, int failureStreak) {

    public CheckRecord {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(reason, "reason");
    }

    /** This record followed by a new result; {@code before} is null for a check's first result. */
    public static CheckRecord next(CheckRecord before, RiseFall health, boolean passed, String reason, long latencyNanos,
                                   long finishedNanos, long finishedAtMillis) {
        if (passed) {
            return new CheckRecord(health, true, reason, latencyNanos, finishedNanos, finishedAtMillis, 0,
                    before == null ? null : before.failureReason, before == null ? 0 : before.failureStreak);
        }
        long since = before != null && !before.passed && before.failingSinceNanos != 0 ? before.failingSinceNanos : finishedNanos;
        return new CheckRecord(health, false, reason, latencyNanos, finishedNanos, finishedAtMillis, since, reason,
                health.consecutiveFailures());
    }
}
