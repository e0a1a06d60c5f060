package io.rhid.agent.router;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Repeats {@link RouterApplier#withdrawAll()} with backoff until the daemon confirms that nothing
 * of rhid's is announced, or until a bound passes, or at once when the router says retrying
 * cannot help ({@link RouterApplier#withdrawAllRetries()}). Used by the stop path of {@code rhid run} and by
 * {@code rhid withdraw-all}, so a routing daemon that hangs for a while (SIGSTOP, overload) still
 * gets the withdrawal once it answers. Runs on the caller's thread and blocks it.
 */
public final class Withdrawal {

    /**
     * How long rhid keeps trying to withdraw on stop and in {@code withdraw-all}. The attempt in
     * flight at the bound may still take up to {@code router.command_timeout} (default 10 s), so
     * both fit the unit's {@code TimeoutStopSec=30s}, which systemd applies to the stop and to
     * ExecStopPost separately.
     */
    public static final Duration BOUND = Duration.ofSeconds(15);
    static final Duration FIRST_PAUSE = Duration.ofMillis(250);
    static final Duration MAX_PAUSE = Duration.ofSeconds(2);
    /** A backstop for a clock that does not advance; the bound ends the loop long before. */
    static final int MAX_ATTEMPTS = 1000;

    /** Waits between attempts; tests advance a manual clock instead of sleeping. */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration d) throws InterruptedException;

        Pause SLEEP = d -> Thread.sleep(d.toMillis());
    }

    /**
     * The outcome.
     *
     * @param confirmed whether the daemon confirmed that nothing of rhid's is announced
     * @param message   what the last attempt did, or why it failed
     * @param attempts  how many attempts were made
     * @param failures  the error of each failed attempt, in order
     * @param retried   false when the router said a failure is final and no further attempt was made
     */
    public record Result(boolean confirmed, String message, int attempts, List<String> failures, boolean retried) {
        public Result {
            failures = List.copyOf(failures);
        }

        public Result(boolean confirmed, String message, int attempts, List<String> failures) {
            this(confirmed, message, attempts, failures, true);
        }
    }

    private Withdrawal() {
    }

    /**
     * Attempts the withdrawal at once and again after 250 ms, doubling up to 2 s, starting no new
     * attempt once {@code bound} has passed since the call; a single attempt when the router's
     * failures are final.
     */
    public static Result untilConfirmed(RouterApplier router, Duration bound, LongSupplier nanos, Pause pause)
            throws InterruptedException {
        long deadline = nanos.getAsLong() + bound.toNanos();
        List<String> failures = new ArrayList<>();
        Duration next = FIRST_PAUSE;
        for (int attempt = 1; ; attempt++) {
            try {
                return new Result(true, router.withdrawAll(), failures.size() + 1, failures);
            } catch (ApplyException e) {
                failures.add(e.getMessage());
            }
            if (!router.withdrawAllRetries()) {
                return new Result(false, failures.get(0), 1, failures, false);
            }
            long left = deadline - nanos.getAsLong();
            if (left <= 0 || attempt >= MAX_ATTEMPTS) {
                return new Result(false, failures.get(failures.size() - 1), failures.size(), failures);
            }
            pause.pause(Duration.ofNanos(Math.min(left, next.toNanos())));
            next = next.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : next.multipliedBy(2);
        }
    }
}
