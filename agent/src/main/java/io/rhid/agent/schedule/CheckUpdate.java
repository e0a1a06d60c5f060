package io.rhid.agent.schedule;

import io.rhid.agent.health.RiseFall;
import io.rhid.checks.spi.ProbeResult;
import java.util.Objects;

/**
 * The outcome of one probe run, sent from the scheduler to the control loop.
 *
 * @param health        the check's rise/fall state after this result
 * @param previous      the check's rise/fall state before it
 * @param startedNanos  when the run started ({@link Ticker} time)
 * @param finishedNanos when it finished ({@link Ticker} time)
 * @param finishedAtMillis when it finished, wall clock, for logs and status
 * @param asked         the run was asked for ({@link ProbeScheduler#runNow}: an operator's
 *                      recheck), so whoever asked is waiting for its result
 */
public record CheckUpdate(CheckKey key, ProbeResult result, RiseFall health, RiseFall previous,
                          long startedNanos, long finishedNanos, long finishedAtMillis, boolean asked) {

    public CheckUpdate {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(previous, "previous");
    }

    public long latencyNanos() {
        return finishedNanos - startedNanos;
    }

    /** Whether this result changed the check's confirmed state. */
    public boolean transitioned() {
        return health.up() != previous.up();
    }
}
