package io.rhid.agent.health;

import io.rhid.agent.config.CheckConfig;
import io.rhid.agent.config.Durations;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns a service's config, its checks' rise/fall states and the overlays into a {@link Verdict}
 * with its reason. The checks decide a health-driven state (no announcement before every check has
 * had {@code rise} results, except under a reload hold); the overlays then apply in order: the
 * startup gate, flap damping, drain. No I/O; the overlays are the only state it reads and updates
 * (a flap hold starts or ends here). Confined to the control loop's thread.
 */
public final class ServiceEvaluator {

    /**
     * A verdict and what it took to reach it.
     *
     * @param health     the state the checks alone give, before startup gate, flap damping and drain
     * @param holdStarted flap damping started a hold with this evaluation
     * @param holdEnded   a flap damping hold ran out with this evaluation
     */
    public record Evaluation(Verdict verdict, ServiceState health, boolean holdStarted, boolean holdEnded) {
    }

    /** What the evaluator needs beyond the service: how to show targets, and the flap damping settings. */
    public record Settings(boolean showCommands, RhidConfig.Flap flap) {
        public Settings {
            Objects.requireNonNull(flap, "flap");
        }
    }

    private final StartupGate gate;
    private final FlapDamping flap;
    private final DrainHold drains;
    private final ReloadHold reloadHold;

    public ServiceEvaluator(StartupGate gate, FlapDamping flap, DrainHold drains, ReloadHold reloadHold) {
        this.gate = gate;
        this.flap = flap;
        this.drains = drains;
        this.reloadHold = reloadHold;
    }

    /**
     * @param prev   the service's last verdict; null for a service not evaluated before
     * @param checks each check's record by check name; null for a check without results
     */
    public Evaluation evaluate(ServiceConfig s, Verdict prev, Function<String, CheckRecord> checks, Settings settings,
                               long nowNanos, long nowMillis) {
        String name = s.name();
        int passing = 0;
        int ready = 0;
        int readyPassing = 0;
        List<String> failing = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (CheckConfig c : s.checks()) {
            CheckRecord r = checks.apply(c.name());
            RiseFall h = r == null ? RiseFall.INITIAL : r.health();
            boolean isReady = h.results() >= c.timing().rise();
            if (h.up()) {
                passing++;
            } else if (isReady) {
                failing.add(Reasons.failure(c, r, settings.showCommands()));
            }
            if (isReady) {
                ready++;
                readyPassing += h.up() ? 1 : 0;
            } else {
                waiting.add(c.name() + " has " + h.results() + " of " + c.timing().rise() + " results");
            }
        }
        int total = s.checks().size();
        ServiceState next;
        String reason;
        if (waiting.isEmpty()) {
            reloadHold.release(name);
            next = ServiceState.fromChecks(s.policy().holds(passing, total), passing, total);
            reason = Reasons.health(s, next, passing, total, failing);
        } else if (reloadHold.holds(name) && prev != null) {
            // Judge by the ready checks, so a reload does not withdraw a healthy service while its
            // new checks rise.
            next = ready == 0 ? prev.state() : ServiceState.fromChecks(
                    s.policy().holds(readyPassing, Math.min(ready, total)), readyPassing, ready);
            if (next == ServiceState.DRAINING || next == ServiceState.DRAINED) {
                next = ServiceState.DOWN;
            }
            reason = "reloaded: waiting for " + String.join(", ", waiting);
        } else {
            // No announcement before every check has had rise results, whatever the policy.
            next = ServiceState.DOWN;
            reason = "starting: " + String.join(", ", waiting);
        }
        long until = 0;
        if (next.announced() && !gate.isOpen()) {
            next = ServiceState.DOWN;
            reason = "starting: startup_delay, nothing is announced for " + Verdict.REMAINING + " more";
            until = gate.announceFromNanos();
        }
        ServiceState health = next;
        boolean holdEnded = false;
        boolean holdStarted = false;
        Long held = flap.heldUntil(name);
        if (held != null && nowNanos >= held) {
            flap.release(name);
            held = null;
            holdEnded = true;
        }
        if (held == null && prev != null && prev.state() != next && isHealthState(prev.state()) && isHealthState(next)) {
            held = flap.recordChange(name, settings.flap(), nowNanos);
            holdStarted = held != null;
        }
        if (held != null && next.announced()) {
            RhidConfig.Flap f = settings.flap();
            next = ServiceState.DOWN;
            reason = "held withdrawn by flap damping for " + Verdict.REMAINING + " more: over "
                    + f.maxChanges() + " state changes within " + Durations.format(f.window()) + " (now " + health.label()
                    + "; `rhid resume " + name + "` releases the hold)";
            until = held;
        }
        DrainHold.Drain drain = drains.get(name);
        if (drain != null) {
            if (!drain.done() && nowNanos < drain.holdEndsNanos() && next.announced()) {
                next = ServiceState.DRAINING;
                reason = "draining: announced with the draining attributes until drain_hold ends in " + Verdict.REMAINING;
                until = drain.holdEndsNanos();
            } else {
                drains.done(name);
                next = ServiceState.DRAINED;
                reason = "drained by an operator; `rhid resume " + name + "` announces it again";
                until = 0;
            }
        }
        Verdict verdict;
        if (prev == null || prev.state() != next) {
            verdict = new Verdict(next, nowMillis, reason, until);
        } else if (!prev.reason().equals(reason) || prev.untilNanos() != until) {
            verdict = new Verdict(prev.state(), prev.sinceMillis(), reason, until);
        } else {
            verdict = prev;
        }
        return new Evaluation(verdict, health, holdStarted, holdEnded);
    }

    private static boolean isHealthState(ServiceState s) {
        return s == ServiceState.UP || s == ServiceState.DEGRADED || s == ServiceState.DOWN;
    }
}
