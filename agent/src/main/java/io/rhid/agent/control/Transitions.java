package io.rhid.agent.control;

import static java.util.stream.Collectors.joining;

import io.rhid.agent.config.Durations;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.agent.health.ServiceEvaluator;
import io.rhid.agent.health.Verdict;
import io.rhid.agent.log.LogFields;
import io.rhid.agent.status.Metric;
import io.rhid.agent.status.MetricListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a service's new verdict means to the outside: the transition and flap-hold log events, their
 * metrics, and the on_change hooks, queued until the apply that carries the transition succeeded.
 * Confined to the control loop's thread.
 */
final class Transitions implements AutoCloseable {

    // JSON logs carry the logger's name: transitions keep the one they always had.
    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);
    private static final Duration HOOK_TIMEOUT = Duration.ofSeconds(10);

    private final MetricListener metrics;
    private final Hooks hooks = new Hooks(HOOK_TIMEOUT);
    /** Transitions since the last successful apply, whose on_change hooks run after it. */
    private final List<Runnable> pendingHooks = new ArrayList<>();

    Transitions(MetricListener metrics) {
        this.metrics = metrics;
    }

    /** Logs and counts what {@code e} changed for {@code s}, and queues its on_change hook. */
    void record(ServiceConfig s, Verdict prev, ServiceEvaluator.Evaluation e, RhidConfig.Flap flap, long nowNanos) {
        String name = s.name();
        if (e.holdEnded()) {
            log.info("{}: flap damping hold ended; announced again as its health allows", name);
        }
        if (e.holdStarted()) {
            metrics.increment(Metric.FLAP_HOLDS, name);
            log.warn("{}: more than {} state changes within {}: held withdrawn for {} (flap damping)", name,
                    flap.maxChanges(), Durations.format(flap.window()), Durations.format(flap.hold()));
        }
        Verdict next = e.verdict();
        if (prev != null && prev.state() != next.state()) {
            String from = prev.state().label();
            String to = next.state().label();
            try (var f = LogFields.of("event", "transition", "service", name, "from", from, "to", to,
                    "prefixes", s.prefixes().stream().map(Prefix::toString).collect(joining(" ")))) {
                log.info("{}: {} -> {}: {}", name, from, to, next.reasonAt(nowNanos));
            }
            metrics.increment(Metric.TRANSITIONS, name, from, to);
            List<String> prefixes = s.prefixes().stream().map(Prefix::toString).toList();
            pendingHooks.add(() -> hooks.run(name, s.onChange(), from, to, prefixes));
        }
    }

    /** Runs the hooks of the transitions the last successful apply carried. */
    void runPendingHooks() {
        pendingHooks.forEach(Runnable::run);
        pendingHooks.clear();
    }

    @Override
    public void close() {
        hooks.close();
    }
}
