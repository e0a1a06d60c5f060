package io.rhid.agent.health;

import java.util.Locale;

/**
 * What a service is doing, as operators see it in status, logs and metrics (lower-case names).
 * Ordered from best to worst for announcements: when services share a prefix, the worst announced
 * state chooses its attributes.
 */
public enum ServiceState {
    /** Policy holds and every check passes: announced with the {@code up} attributes. */
    UP,
    /** Policy holds but some checks fail: announced with the {@code degraded} attributes. */
    DEGRADED,
    /** Drain requested: announced with the {@code draining} attributes until drain_hold ends. */
    DRAINING,
    /** Drained by an operator: withdrawn until resumed. */
    DRAINED,
    /** Policy does not hold: withdrawn. */
    DOWN;

    /** Whether prefixes of a service in this state are announced. */
    public boolean announced() {
        return this == UP || this == DEGRADED || this == DRAINING;
    }

    /** The lower-case name used in config, status, logs and metrics. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The health-driven state of a service from how many of its checks are confirmed up.
     *
     * @param policyHolds whether the service's policy is satisfied by the passing checks
     */
    public static ServiceState fromChecks(boolean policyHolds, int passing, int total) {
        if (!policyHolds) {
            return DOWN;
        }
        return passing == total ? UP : DEGRADED;
    }
}
