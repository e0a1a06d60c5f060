package io.rhid.agent.control;

/**
 * What the control loop tells a supervisor (systemd) about itself: that its first apply is done,
 * and, once per turn, that it is alive. Called only from the loop's own thread, so a stuck loop
 * stops the signs of life; implementations must be quick and must not throw.
 */
public interface Heartbeat {

    /** Tells nothing to nobody: when rhid is not supervised. */
    Heartbeat NONE = new Heartbeat() {
        @Override
        public void ready() {
        }

        @Override
        public void alive() {
        }

        @Override
        public long maxWaitNanos() {
            return Long.MAX_VALUE;
        }
    };

    /** The startup apply has run (whatever its result): rhid is serving. */
    void ready();

    /** A turn of the loop has ended. */
    void alive();

    /** The longest the loop may wait for events before its next turn, so that it keeps calling {@link #alive()}. */
    long maxWaitNanos();
}
