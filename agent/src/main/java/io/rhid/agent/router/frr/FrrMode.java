package io.rhid.agent.router.frr;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.Drift;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;

/**
 * How rhid's lines reach bgpd ({@code router.frr.mode}): {@link VtyshMode} sends the delta as one
 * vtysh batch, {@link ReloadMode} rewrites rhid's block of frr.conf and runs frr-reload.py.
 * {@link FrrApplier} reads bgpd first and checks origination and conflicts after; a mode does the
 * part in between. Confined to the control loop's thread.
 */
interface FrrMode {

    /** Exactly what {@link #apply} writes or sends for {@code desired} to an FRR without rhid's lines. */
    String render(DesiredState desired);

    /**
     * Makes bgpd hold exactly {@code desired}'s lines, given its running config read just before,
     * and checks that it does.
     */
    Applied apply(DesiredState desired, FrrRunningConfig running) throws ApplyException;

    /** How this mode's own files differ from {@code applied}; none in vtysh mode. */
    List<Drift> fileDrift(DesiredState applied) throws ApplyException;

    /** Does what {@code withdraw-all} must do before bgpd is read (reload: empty the block) and says how to remove lines. */
    Withdrawing beginWithdrawAll() throws ApplyException;

    /** Ends the message of a {@code withdraw-all} that found bgpd down. */
    String whenBgpdDown();

    /** Ends the error of a {@code withdraw-all} after which bgpd still holds rhid's lines. */
    String leftoverHint();

    /**
     * What an apply did.
     *
     * @param target    what bgpd now holds: {@code desired}, without the conflicting prefixes in reload mode
     * @param changed   the prefixes whose {@code network} lines were added or re-issued, or null when
     *                  bgpd already held everything
     * @param conflicts desired prefixes the operator has a {@code network} line of their own for
     */
    record Applied(DesiredState target, Set<Prefix> changed, SortedSet<Prefix> conflicts) {
    }

    /**
     * How {@code withdraw-all} goes on.
     *
     * @param note    what was done so far, for the operator; empty or ending in {@code "; "}
     * @param remover removes rhid's lines from bgpd
     */
    record Withdrawing(String note, Remover remover) {
    }

    /** Removes the lines of a delta to the empty state from bgpd. */
    @FunctionalInterface
    interface Remover {
        void remove(FrrDelta delta) throws ApplyException;
    }
}
