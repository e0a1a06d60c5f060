package io.rhid.agent.health;

/**
 * One check's confirmed state and the streak of results that disagree with it: the pure rise/fall
 * rule. Every check starts confirmed down; {@code rise} consecutive passes confirm it up, and
 * {@code fall} consecutive failures confirm it down again. A result that agrees with the confirmed
 * state breaks the streak.
 *
 * @param up                  the confirmed state
 * @param streak              consecutive results so far that disagree with {@code up}
 * @param consecutivePasses   passes in a row up to the last result
 * @param consecutiveFailures failures in a row up to the last result
 * @param results             results recorded, saturating at {@link Integer#MAX_VALUE}
 */
public record RiseFall(boolean up, int streak, int consecutivePasses, int consecutiveFailures, int results) {

    /** A check that has not run yet: down, with nothing to confirm. */
    public static final RiseFall INITIAL = new RiseFall(false, 0, 0, 0, 0);

    /** The state after one more result. */
    public RiseFall record(boolean passed, int rise, int fall) {
        int passes = passed ? saturatingIncrement(consecutivePasses) : 0;
        int failures = passed ? 0 : saturatingIncrement(consecutiveFailures);
        int count = saturatingIncrement(results);
        if (passed == up) {
            return new RiseFall(up, 0, passes, failures, count);
        }
        int disagreeing = streak + 1;
        if (disagreeing >= (up ? fall : rise)) {
            return new RiseFall(!up, 0, passes, failures, count);
        }
        return new RiseFall(up, disagreeing, passes, failures, count);
    }

    /** Whether a change of state is being confirmed: the scheduler then re-runs at fast_interval. */
    public boolean confirming() {
        return streak > 0;
    }

    private static int saturatingIncrement(int n) {
        return n == Integer.MAX_VALUE ? n : n + 1;
    }
}
