package io.rhid.agent.health;

/**
 * Something that changes a service's verdict with time alone, without a new check result (a
 * startup delay, a flap damping hold, a drain's hold). The control loop waits for the earliest
 * {@link #nextDeadline()} of all overlays and re-evaluates what is {@link #due} then.
 */
public interface Overlay {

    /** When, in ticker nanoseconds, a verdict may next change by itself; {@link Long#MAX_VALUE} for never. */
    long nextDeadline();

    /** Whether a deadline has passed at {@code nowNanos}. */
    default boolean due(long nowNanos) {
        return nowNanos >= nextDeadline();
    }
}
