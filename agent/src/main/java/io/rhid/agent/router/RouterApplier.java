package io.rhid.agent.router;

import io.rhid.agent.plan.DesiredState;
import java.util.List;

/**
 * Converges a routing daemon's announcements to a desired state. Called only from the control
 * loop's thread; implementations may keep the last good state they applied.
 */
public interface RouterApplier {

    /** The daemon's name for metrics and status: {@code bird}, {@code frr} or {@code exabgp}. */
    String daemon();

    /**
     * Makes the daemon announce exactly {@code desired}'s announcements: render, write or send,
     * validate, apply, verify. On failure the daemon is left with the last good state and the
     * exception says what failed.
     */
    void apply(DesiredState desired) throws ApplyException;

    /** How the daemon differs from {@code applied}, the state last applied; empty when in sync. */
    List<Drift> drift(DesiredState applied) throws ApplyException;

    /**
     * Withdraws everything rhid announces without knowing the desired state, for
     * {@code rhid withdraw-all} after a crash; works when the daemon is not running.
     *
     * @return what was done, for the operator
     */
    String withdrawAll() throws ApplyException;

    /**
     * Whether a failed {@link #withdrawAll} may succeed when tried again: true where the daemon can
     * be busy, hung or restarting; false where this process cannot reach the daemon at all (ExaBGP,
     * from any process but the one ExaBGP started), so callers report the failure at once.
     */
    default boolean withdrawAllRetries() {
        return true;
    }

    /** Exactly what {@link #apply} would write or send for {@code desired}. */
    String render(DesiredState desired);
}
