package io.rhid.agent.health;

import io.rhid.agent.config.CheckConfig;
import io.rhid.agent.config.Policy;
import io.rhid.agent.config.ServiceConfig;
import java.util.List;

/** The texts that say why a service is in its state, as status and logs show them. Pure. */
final class Reasons {

    private Reasons() {
    }

    static String health(ServiceConfig s, ServiceState state, int passing, int total, List<String> failing) {
        return switch (state) {
            case UP -> total == 1 ? "check passes" : "all " + total + " checks pass";
            case DEGRADED -> failing.size() + " of " + total + " checks failing: " + String.join("; ", failing);
            default -> String.join("; ", failing) + (s.policy().kind() == Policy.Kind.ALL ? ""
                    : " (policy " + s.policy() + " needs " + needed(s) + ", " + passing + " pass)");
        };
    }

    private static String needed(ServiceConfig s) {
        return switch (s.policy().kind()) {
            case ANY -> "1";
            case AT_LEAST -> Integer.toString(s.policy().n());
            case ALL -> Integer.toString(s.checks().size());
        };
    }

    /** What a check probes: exec arguments only with status.show_commands. */
    static String shown(CheckConfig c, boolean showCommands) {
        return showCommands ? c.spec().fullTarget() : c.spec().target();
    }

    /** Why a check that has had its rise results is down. */
    static String failure(CheckConfig c, CheckRecord r, boolean showCommands) {
        String what = "checks[" + c.index() + "] " + (c.name().equals(c.spec().type()) ? c.name() : c.name() + " " + c.spec().type())
                + " " + shown(c, showCommands);
        if (r == null) {
            return what + ": not run yet";
        }
        RiseFall h = r.health();
        if (!r.passed()) {
            return what + ": " + r.reason() + " (" + h.consecutiveFailures() + "/" + c.timing().fall() + " failures)";
        }
        // Down but passing again: the results that arrived with the one that took the check down
        // may already include a pass, and "passing" would hide why it is down. Name the failure.
        String why = r.failureReason() == null ? "not risen yet"
                : r.failureReason() + " (" + r.failureStreak() + "/" + c.timing().fall()
                        + " failures, then " + h.consecutivePasses() + "/" + c.timing().rise() + " passes)";
        return what + ": " + why;
    }
}
