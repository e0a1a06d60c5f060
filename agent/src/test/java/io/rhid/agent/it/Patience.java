package io.rhid.agent.it;

import java.time.Duration;

/**
 * How long the integration tests wait for an event before calling it missing. A wait is an upper
 * bound, not a measurement: on a machine whose cores are busy with other work (a shared CI host)
 * a route that takes 100 ms when idle can take seconds, so every wait for an event is stretched by
 * this factor (4 by default; {@code -Drhid.it.patience=N} to change it). A test that passes only
 * ends its waits sooner; latency claims are measured by the benchmarks, not here.
 */
public final class Patience {

    static final long FACTOR = Long.getLong("rhid.it.patience", 4);

    private Patience() {
    }

    /** {@code wait} stretched for a busy machine. */
    public static Duration of(Duration wait) {
        return wait.multipliedBy(FACTOR);
    }

    /** The deadline, on {@link System#nanoTime()}'s clock, of a wait starting now. */
    public static long deadline(Duration wait) {
        return System.nanoTime() + of(wait).toNanos();
    }
}
