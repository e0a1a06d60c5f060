package io.rhid.agent.it;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How long the integration tests wait for an event before calling it missing. A wait is an upper
 * bound, not a measurement: on a machine whose cores are busy with other work (a shared CI host)
 * a route that takes 100 ms when idle can take seconds, so every wait for an event is stretched by
 * this factor (4 by default; {@code -Drhid.it.patience=N} to change it). A test that passes only
 * ends its waits sooner; latency claims are measured by the benchmarks, not here.
 *
 * <p>The stretching happens here and only here: event waits take {@link #deadline}, and waits on
 * state that sends no event (a log line, a control socket answering) use {@link #until}, so no
 * helper applies its own factor or forgets to.
 */
public final class Patience {

    static final long FACTOR = Long.getLong("rhid.it.patience", 4);

    private Patience() {
    }

    /** {@code wait} stretched for a busy machine. */
    public static Duration of(Duration wait) {
        return wait.multipliedBy(FACTOR);
    }

    /**
     * Asks {@code probe} until it answers, at most {@link #of} {@code timeout}, pausing
     * {@code every} between questions (state that announces no event can only be looked at); then
     * throws an {@link AssertionError} with {@code failure}'s message. {@code probe} may throw to
     * end the wait early (a process it waits for exited).
     */
    public static <T> T until(Duration timeout, Duration every, Supplier<Optional<T>> probe, Supplier<String> failure) {
        long deadline = deadline(timeout);
        while (true) {
            Optional<T> answer = probe.get();
            if (answer.isPresent()) {
                return answer.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(failure.get() + " (waited " + of(timeout) + ")");
            }
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** The deadline, on {@link System#nanoTime()}'s clock, of a wait starting now. */
    public static long deadline(Duration wait) {
        return System.nanoTime() + of(wait).toNanos();
    }
}
