package io.rhid.agent.control;

import io.rhid.agent.config.Durations;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.agent.health.DrainHold;
import io.rhid.agent.health.FlapDamping;
import io.rhid.agent.health.ServiceState;
import io.rhid.agent.health.Verdict;
import io.rhid.agent.schedule.CheckKey;
import io.rhid.agent.schedule.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out an operator's drain, resume and recheck on the control loop's thread, and words the
 * reply once the turn has applied the result. Confined to the control loop's thread.
 */
final class Commands {

    // The command log lines keep the logger name they always had: filters select on it.
    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);

    private final Drains drains;
    private final FlapDamping flap;
    private final CheckBook checks;
    private final Converger converger;
    private final Map<String, Verdict> verdicts;
    private final Ticker ticker;
    private final LongSupplier wallMillis;

    /** @param verdicts the loop's verdicts, read when a reply is worded */
    Commands(Drains drains, FlapDamping flap, CheckBook checks, Converger converger, Map<String, Verdict> verdicts,
             Ticker ticker, LongSupplier wallMillis) {
        this.drains = drains;
        this.flap = flap;
        this.checks = checks;
        this.converger = converger;
        this.verdicts = verdicts;
        this.ticker = ticker;
        this.wallMillis = wallMillis;
    }

    /**
     * Carries out a drain, resume or recheck; adds the services to evaluate again to {@code dirty}
     * and returns what completes the reply, to be run after this turn has applied the result (so a
     * drain's reply means the draining announcement is out).
     */
    Runnable handle(ControlLoop.Command c, RhidConfig config, Set<String> dirty) {
        List<String> targets = c.all() ? List.copyOf(config.services().keySet()) : c.services();
        List<String> unknown = targets.stream().filter(n -> !config.services().containsKey(n)).toList();
        if (!unknown.isEmpty()) {
            Operations.Reply r = Operations.Reply.error("no service named " + String.join(", ", unknown) + " (services: "
                    + String.join(", ", config.services().keySet()) + ")");
            return () -> c.reply().complete(r);
        }
        if (targets.isEmpty()) {
            return () -> c.reply().complete(Operations.Reply.error("name at least one service, or --all"));
        }
        List<String> notes = new ArrayList<>();
        Set<String> released = new TreeSet<>();
        long now = ticker.nanos();
        for (String name : targets) {
            ServiceConfig s = config.services().get(name);
            switch (c.kind()) {
                case DRAIN -> {
                    if (drains.hold().get(name) == null) {
                        log.info("{}: drain requested; draining for {}, then withdrawn", name, Durations.format(s.drainHold()));
                        notes.add(drains.put(name, new DrainHold.Drain(wallMillis.getAsLong(), now + s.drainHold().toNanos(),
                                false)));
                        dirty.add(name);
                    }
                }
                case RESUME -> {
                    if (flap.release(name)) {
                        log.info("{}: resume requested; flap damping hold released", name);
                        released.add(name);
                        dirty.add(name);
                    }
                    if (drains.hold().get(name) != null) {
                        log.info("{}: resume requested; announced again while healthy", name);
                        notes.add(drains.remove(name));
                        dirty.add(name);
                    }
                }
                case RECHECK -> s.checks().forEach(ch -> checks.runNow(new CheckKey(name, ch.name())));
                default -> throw new IllegalStateException(c.kind().toString());
            }
        }
        notes.removeIf(Objects::isNull);
        return () -> c.reply().complete(Operations.Reply.ok(reply(c.kind(), targets, released, notes, config)));
    }

    private String reply(ControlLoop.Command.Kind kind, List<String> targets, Set<String> released, List<String> notes,
                         RhidConfig config) {
        StringBuilder m = new StringBuilder();
        for (String name : targets) {
            Verdict st = verdicts.get(name);
            if (m.length() > 0) {
                m.append('\n');
            }
            m.append(name).append(": ").append(kind == ControlLoop.Command.Kind.RECHECK ? "checks run now; " : "")
                    .append(st == null ? "down" : st.state().label());
            if (released.contains(name)) {
                m.append(" (flap damping hold released)");
            }
            if (kind == ControlLoop.Command.Kind.DRAIN && st != null && st.state() == ServiceState.DRAINING) {
                m.append(" (withdrawn after drain_hold ").append(Durations.format(config.services().get(name).drainHold()))
                        .append(')');
            }
        }
        if (!converger.inSync()) {
            m.append("\nthe router has not applied this yet: ").append(converger.routerStatus().error());
        }
        notes.forEach(n -> m.append("\nwarning: ").append(n));
        return m.toString();
    }
}
