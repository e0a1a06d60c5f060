package io.rhid.agent.router.frr;

import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.Drift;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code router.frr.mode: vtysh}: sends the delta as one batch to bgpd on vtysh's standard input
 * ({@code vtysh -d bgpd -f /dev/stdin}, no temp file): route-maps first, then {@code network}
 * removals and additions, then route-map deletions. vtysh runs every line even after a failing one
 * and exits non-zero, so the result is always verified by reading the running config again. After
 * an in-place route-map edit the {@code network} lines using it are re-issued: bgpd otherwise
 * applies route-map edits only when its route-map delay timer fires (5 s by default). rhid never
 * writes frr.conf in this mode. Confined to the control loop's thread.
 */
final class VtyshMode implements FrrMode {

    private static final Logger log = LoggerFactory.getLogger(VtyshMode.class);

    private final BgpInstance instance;
    private final Bgpd bgpd;

    VtyshMode(BgpInstance instance, Bgpd bgpd) {
        this.instance = instance;
        this.bgpd = bgpd;
    }

    @Override
    public String render(DesiredState desired) {
        return FrrSyntax.batch(FrrDiff.initial(desired, instance));
    }

    @Override
    public Applied apply(DesiredState desired, FrrRunningConfig running) throws ApplyException {
        FrrDelta delta = FrrDiff.delta(running, desired, instance);
        if (delta.isEmpty()) {
            return new Applied(desired, null, delta.conflicts());
        }
        CommandResult batch = bgpd.batch(delta);
        bgpd.requireHolds(desired, "the vtysh batch (" + delta.summary() + ")", Bgpd.batchErrors(batch));
        if (!batch.ok()) {
            log.warn("frr: vtysh reported errors, but bgpd holds the desired lines:{}", Bgpd.batchErrors(batch));
        }
        return new Applied(desired, delta.announce().keySet(), delta.conflicts());
    }

    @Override
    public List<Drift> fileDrift(DesiredState applied) {
        return List.of();
    }

    @Override
    public Withdrawing beginWithdrawAll() {
        return new Withdrawing("", bgpd::batch);
    }

    @Override
    public String whenBgpdDown() {
        return " (rhid's lines went with bgpd's running config)";
    }

    @Override
    public String leftoverHint() {
        return "";
    }
}
