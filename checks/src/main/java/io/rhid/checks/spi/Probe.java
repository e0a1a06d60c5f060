package io.rhid.checks.spi;

/**
 * One check's probe: performs a single attempt against the local service each time it is run.
 *
 * <p>Threading: the agent's scheduler calls {@link #run()} from a pool thread, never two runs of
 * the same probe at once, but different probes run concurrently. A probe may keep state between
 * runs (a connection pool, a reusable buffer) without synchronising it against itself.
 *
 * <p>Timeouts: the probe owns its timeout ({@link ProbeContext#timeout()}). It must return within
 * that timeout plus a small slack, using the mechanism native to its I/O (OkHttp's call timeout,
 * a socket's connect and read timeouts, {@code Process.waitFor} followed by killing the process
 * group). The scheduler does not interrupt a run.
 *
 * <p>Failure: an unhealthy service is data, not an exception. Every failure, including a timeout,
 * is returned as {@link ProbeResult#failure(String)}. An exception that escapes {@code run} is a
 * bug in the probe; the scheduler logs it at ERROR and counts it as a failed run.
 *
 * <p>Probes never see health state, routes or other probes, and never call back into the agent.
 */
public interface Probe extends AutoCloseable {

    /** Performs one attempt and returns its outcome. Blocks for at most the timeout (plus slack). */
    ProbeResult run();

    /**
     * Releases what the probe holds (sockets, temporary files). Called once, when the check is
     * removed or the agent stops, and never while {@link #run()} is in progress.
     */
    @Override
    default void close() {
    }
}
