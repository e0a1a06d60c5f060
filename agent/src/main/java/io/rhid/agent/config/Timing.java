package io.rhid.agent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A check's effective schedule after inheritance (check, then service, then {@code defaults}).
 *
 * @param interval     time between runs while the check's result agrees with its confirmed state
 * @param fastInterval time between runs while a change is being confirmed; equal to
 *                     {@code interval} when fast re-runs are off
 * @param timeout      the longest one run may take, below {@code interval}
 * @param rise         consecutive passes that confirm a failing check as passing
 * @param fall         consecutive failures that confirm a passing check as failing
 * @param watch        whether an idle connection to the check's TCP endpoint is kept open and its
 *                     close runs the check at once instead of at its next interval (see
 *                     {@link WatchTargets}); only ever true for a check that can watch
 */
public record Timing(Duration interval, Duration fastInterval, Duration timeout, int rise, int fall, boolean watch) {

    public Timing {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(fastInterval, "fastInterval");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** This schedule with {@code watch} set as given. */
    public Timing watching(boolean on) {
        return new Timing(interval, fastInterval, timeout, rise, fall, on);
    }

    /** Worst-case time to confirm a failure: interval + (fall - 1) x fast_interval + fall x timeout. */
    public Duration worstCaseDetection() {
        return interval.plus(fastInterval.multipliedBy(fall - 1L)).plus(timeout.multipliedBy(fall));
    }
}
