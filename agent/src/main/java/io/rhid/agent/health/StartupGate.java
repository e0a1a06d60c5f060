package io.rhid.agent.health;

/**
 * {@code startup_delay}: nothing is announced before rhid has run this long, whatever the checks
 * say. Confined to the control loop's thread.
 */
public final class StartupGate implements Overlay {

    private final long announceFromNanos;
    private boolean open;

    /** @param announceFromNanos start plus startup_delay, ticker time */
    public StartupGate(long announceFromNanos, boolean open) {
        this.announceFromNanos = announceFromNanos;
        this.open = open;
    }

    @Override
    public long nextDeadline() {
        return open ? Long.MAX_VALUE : announceFromNanos;
    }

    /** Opens the gate once its time has come; every service is then evaluated again. */
    public void open() {
        open = true;
    }

    public boolean isOpen() {
        return open;
    }

    long announceFromNanos() {
        return announceFromNanos;
    }
}
