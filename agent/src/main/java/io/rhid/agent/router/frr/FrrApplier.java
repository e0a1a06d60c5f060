package io.rhid.agent.router.frr;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.CommandRunner;
import io.rhid.agent.router.Drift;
import io.rhid.agent.router.RouterApplier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongConsumer;

/**
 * Converges FRR's bgpd to a desired state. rhid owns only its {@code network P route-map rhid-...}
 * lines and the {@code rhid-*} route-maps (see {@link FrrSyntax}); it reads bgpd's running config
 * before every change rather than trusting its memory, so a restarted bgpd or an edit by hand is
 * simply more delta. How the change reaches bgpd is the {@link FrrMode}'s part ({@link VtyshMode},
 * {@link ReloadMode}). Confined to the control loop's thread.
 *
 * <p>After applying, in both modes, it checks that every newly announced prefix is locally
 * originated and valid in bgpd's BGP table ({@code show bgp ... PREFIX json}): with {@code bgp
 * network import-check} (FRR's default) a {@code network} is announced only while the prefix is in
 * zebra's RIB.
 *
 * <p>Before anything it checks what would otherwise go wrong silently: vtysh exits 0 when bgpd is
 * down and a batch's {@code router bgp ASN} line would create a new BGP instance, so rhid requires
 * bgpd to answer and {@code router bgp ASN [vrf V]} to exist.
 */
public final class FrrApplier implements RouterApplier {

    /** Pauses before re-asking bgpd about a prefix it does not originate yet (import check is asynchronous). */
    private static final long[] ORIGINATION_RETRIES_MS = {20, 40, 80, 160, 300};

    private final RouterConfig.Frr frr;
    private final BgpInstance instance;
    private final Bgpd bgpd;
    private final FrrMode mode;
    private final LongConsumer pause;
    /** Announced prefixes bgpd did not originate at the last check; checked again on every apply. */
    private final SortedSet<Prefix> unconfirmed = new TreeSet<>();

    public FrrApplier(RouterConfig.Frr frr, CommandRunner runner, Duration timeout) {
        this(frr, runner, timeout, FrrApplier::sleep);
    }

    FrrApplier(RouterConfig.Frr frr, CommandRunner runner, Duration timeout, LongConsumer pause) {
        this.frr = frr;
        this.instance = FrrSyntax.instance(frr);
        this.bgpd = new Bgpd(frr, instance, runner, timeout);
        this.mode = frr.mode() == RouterConfig.FrrMode.RELOAD ? new ReloadMode(frr, instance, bgpd, runner, timeout)
                : new VtyshMode(instance, bgpd);
        this.pause = pause;
    }

    @Override
    public String daemon() {
        return "frr";
    }

    @Override
    public String render(DesiredState desired) {
        return mode.render(desired);
    }

    @Override
    public void apply(DesiredState desired) throws ApplyException {
        FrrRunningConfig running = bgpd.requireRunning();
        requireInstance(running);
        FrrMode.Applied applied = mode.apply(desired, running);
        confirmOrigination(applied.changed() == null ? announced(applied.target(), applied.conflicts())
                : toConfirm(applied.changed(), applied.target()));
        requireNoConflicts(applied.conflicts());
    }

    @Override
    public List<Drift> drift(DesiredState applied) throws ApplyException {
        FrrRunningConfig running = bgpd.requireRunning();
        requireInstance(running);
        List<Drift> drift = new ArrayList<>(mode.fileDrift(applied));
        FrrDelta delta = FrrDiff.delta(running, applied, instance);
        if (!delta.isEmpty()) {
            drift.add(new Drift("routes", "bgpd's running config differs from what rhid applied: "
                    + FrrDiff.differences(running, delta)));
        }
        return drift;
    }

    /**
     * Removes every rhid line from bgpd (every instance) or, in reload mode, empties the block and
     * reloads. Needs no desired state and no {@code router bgp} of the configured ASN.
     */
    @Override
    public String withdrawAll() throws ApplyException {
        FrrMode.Withdrawing withdrawing = mode.beginWithdrawAll();
        String fileNote = withdrawing.note();
        Bgpd.Running state = bgpd.readRunning();
        if (state.config() == null) {
            return fileNote + state.down() + ", so nothing is announced" + mode.whenBgpdDown();
        }
        FrrDelta delta = FrrDiff.delta(state.config(), DesiredState.EMPTY, instance);
        if (delta.isEmpty()) {
            return fileNote + "bgpd holds no network lines or route-maps of rhid's; nothing to withdraw";
        }
        withdrawing.remover().remove(delta);
        FrrRunningConfig after = bgpd.requireRunning();
        if (after.hasRhidLines()) {
            throw new ApplyException(fileNote + "bgpd still holds rhid lines after the withdrawal: "
                    + FrrDiff.differences(after, FrrDiff.delta(after, DesiredState.EMPTY, instance)) + mode.leftoverHint());
        }
        int n = delta.withdrawCount();
        int maps = delta.deleteRouteMaps().size();
        return fileNote + "withdrew " + n + " prefix" + (n == 1 ? "" : "es") + " from bgpd (removed " + n + " network line"
                + (n == 1 ? "" : "s") + " and " + maps + " route-map" + (maps == 1 ? "" : "s") + ")";
    }

    private void requireInstance(FrrRunningConfig running) throws ApplyException {
        if (running.instances().contains(instance)) {
            return;
        }
        List<String> found = new ArrayList<>();
        running.instances().forEach(i -> found.add(i.header()));
        found.addAll(running.otherInstances());
        StringBuilder m = new StringBuilder("bgpd has no `").append(instance.header()).append("` (router.frr.asn")
                .append(frr.vrf().isEmpty() ? "" : " and router.frr.vrf").append("); ")
                .append(found.isEmpty() ? "it has no BGP instance" : "it has " + String.join(", ", found));
        if (!frr.vrf().isEmpty()) {
            m.append("; ").append(bgpd.vrfState());
        }
        m.append(". rhid announces only from an existing instance and never creates one");
        throw new ApplyException(m.toString());
    }

    // ---- origination -----------------------------------------------------------------------------

    private SortedSet<Prefix> toConfirm(Set<Prefix> changed, DesiredState desired) {
        SortedSet<Prefix> out = new TreeSet<>(changed);
        unconfirmed.retainAll(desired.announcements().keySet());
        out.addAll(unconfirmed);
        return out;
    }

    private static SortedSet<Prefix> announced(DesiredState desired, Set<Prefix> conflicts) {
        SortedSet<Prefix> out = new TreeSet<>(desired.announcements().keySet());
        out.removeAll(conflicts);
        return out;
    }

    /**
     * Checks that bgpd originates each of {@code prefixes} with a valid route, asking again a few
     * times over ~0.6 s for those that are not yet: bgpd resolves a new {@code network}'s import
     * check through zebra asynchronously.
     */
    private void confirmOrigination(SortedSet<Prefix> prefixes) throws ApplyException {
        if (prefixes.isEmpty()) {
            return;
        }
        SortedSet<Prefix> pending = new TreeSet<>(prefixes);
        SortedMap<Prefix, String> problems = new TreeMap<>();
        for (int attempt = 0; ; attempt++) {
            problems = bgpd.origination(pending);
            if (problems.isEmpty() || attempt == ORIGINATION_RETRIES_MS.length) {
                break;
            }
            pending = new TreeSet<>(problems.keySet());
            pause.accept(ORIGINATION_RETRIES_MS[attempt]);
        }
        unconfirmed.removeAll(prefixes);
        if (problems.isEmpty()) {
            return;
        }
        unconfirmed.addAll(problems.keySet());
        List<String> details = new ArrayList<>();
        problems.forEach((p, why) -> details.add(p + ": " + why));
        boolean invalid = problems.values().stream().anyMatch(v -> v.startsWith("not valid"));
        throw new ApplyException("bgpd does not announce " + problems.size() + " of rhid's prefixes although their network "
                + "lines are configured: " + FrrDiff.sample(details)
                + (invalid ? ". With `bgp network import-check` (FRR's default) a network is announced only while the prefix "
                + "itself is in zebra's RIB: the service address on the loopback does that for a /32 or /128; a shorter "
                + "prefix needs a route of its own (e.g. a static blackhole route)" : ""));
    }

    private void requireNoConflicts(SortedSet<Prefix> conflicts) throws ApplyException {
        if (!conflicts.isEmpty()) {
            throw new ApplyException(conflicts.size() + " prefix" + (conflicts.size() == 1 ? " has" : "es have")
                    + " a network line of the operator's in " + instance.header() + " (without an " + FrrSyntax.ROUTE_MAP_PREFIX
                    + "* route-map): " + FrrDiff.sample(conflicts) + "; rhid leaves those lines alone, so it cannot "
                    + "withdraw these prefixes: remove the lines or the prefixes from rhid's config");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
