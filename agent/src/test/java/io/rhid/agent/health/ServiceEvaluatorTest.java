package io.rhid.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.agent.testing.Configs;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The evaluator as a table: a service with a tcp and a file check (rise 2, fall 2), the checks'
 * records, the overlays, and the verdict with its exact reason.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ServiceEvaluatorTest {

    static final long NOW = 1_000_000_000_000L;
    static final long MILLIS = 1_700_000_000_000L;
    static final RhidConfig.Flap FLAP = new RhidConfig.Flap(2, Duration.ofMinutes(1), Duration.ofMinutes(2));
    static final ServiceEvaluator.Settings SETTINGS = new ServiceEvaluator.Settings(false, FLAP);
    static final String TCP = "checks[0] tcp 127.0.0.1:8080";
    static final String FILE = "checks[1] file /etc/rhid/maintenance/web";

    final StartupGate gate = new StartupGate(0, true);
    final FlapDamping flap = new FlapDamping();
    final DrainHold drains = new DrainHold();
    final ReloadHold reloadHold = new ReloadHold();
    final ServiceEvaluator evaluator = new ServiceEvaluator(gate, flap, drains, reloadHold);

    /** Parsed once per policy: loading the probe types is the slow part of these tests. */
    static final Map<String, ServiceConfig> SERVICES = new java.util.concurrent.ConcurrentHashMap<>();

    static ServiceConfig service(String policy) {
        return SERVICES.computeIfAbsent(policy, ServiceEvaluatorTest::parse);
    }

    private static ServiceConfig parse(String policy) {
        return Configs.parse("""
                services:
                  web:
                    prefixes: [192.0.2.80]
                    policy: %s
                    rise: 2
                    fall: 2
                    checks:
                      - { type: tcp, address: "127.0.0.1:8080" }
                      - { type: file, path: /etc/rhid/maintenance/web }
                """.formatted(policy)).services().get("web");
    }

    /**
     * A check's record in a letter: U up, D down after two failures, R down and rising (one pass
     * after two failures), W waiting (no result yet), 1 down with only one result.
     */
    static CheckRecord record(char c) {
        return switch (c) {
            case 'U' -> new CheckRecord(new RiseFall(true, 0, 2, 0, 2), true, "", 1_000_000, NOW, MILLIS, 0, null, 0);
            case 'D' -> new CheckRecord(new RiseFall(false, 0, 0, 2, 4), false, "connection refused", 1_000_000, NOW, MILLIS,
                    NOW - 20, "connection refused", 2);
            case 'R' -> new CheckRecord(new RiseFall(false, 1, 1, 0, 5), true, "", 1_000_000, NOW, MILLIS, 0, "connection refused", 2);
            case '1' -> new CheckRecord(new RiseFall(false, 0, 0, 1, 1), false, "connection refused", 1_000_000, NOW, MILLIS,
                    NOW, "connection refused", 1);
            case 'W' -> null;
            default -> throw new IllegalArgumentException(String.valueOf(c));
        };
    }

    ServiceEvaluator.Evaluation evaluate(ServiceConfig s, String checks, Verdict prev, long now) {
        Map<String, CheckRecord> records = new HashMap<>();
        records.put("tcp", record(checks.charAt(0)));
        records.put("file", record(checks.charAt(1)));
        return evaluator.evaluate(s, prev, records::get, SETTINGS, now, MILLIS);
    }

    /** The checks alone, under each policy: the state and its exact reason. */
    @ParameterizedTest(name = "policy {0}, checks {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "all | UU | up       | all 2 checks pass",
            "all | UD | down     | " + FILE + ": connection refused (2/2 failures)",
            "all | DD | down     | " + TCP + ": connection refused (2/2 failures); " + FILE + ": connection refused (2/2 failures)",
            "any | UD | degraded | 1 of 2 checks failing: " + FILE + ": connection refused (2/2 failures)",
            "any | DD | down     | " + TCP + ": connection refused (2/2 failures); " + FILE
                    + ": connection refused (2/2 failures) (policy any needs 1, 0 pass)",
            "2   | UD | down     | " + FILE + ": connection refused (2/2 failures) (policy 2 needs 2, 1 pass)",
            "all | RU | down     | " + TCP + ": connection refused (2/2 failures, then 1/2 passes)",
            "all | UW | down     | starting: file has 0 of 2 results",
            "any | U1 | down     | starting: file has 1 of 2 results",
            "all | WW | down     | starting: tcp has 0 of 2 results, file has 0 of 2 results",
    })
    void judges_a_service_by_its_checks_and_policy(String policy, String checks, String state, String reason) {
        Verdict v = evaluate(service(policy), checks, null, NOW).verdict();
        assertThat(v.state().label()).isEqualTo(state);
        assertThat(v.reasonAt(NOW)).isEqualTo(reason);
        assertThat(v.sinceMillis()).isEqualTo(MILLIS);
    }

    /** A reload hold judges by the ready checks, and keeps the last state while none is ready. */
    @ParameterizedTest(name = "held after a reload, was {0}, checks {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "up       | UW | up   | reloaded: waiting for file has 0 of 2 results",
            "up       | DW | down | reloaded: waiting for file has 0 of 2 results",
            "degraded | WW | degraded | reloaded: waiting for tcp has 0 of 2 results, file has 0 of 2 results",
            "drained  | WW | down | reloaded: waiting for tcp has 0 of 2 results, file has 0 of 2 results",
            "up       | UU | up   | all 2 checks pass",
    })
    void a_reload_hold_judges_by_the_ready_checks(String was, String checks, String state, String reason) {
        reloadHold.hold("web");
        Verdict prev = new Verdict(ServiceState.valueOf(was.toUpperCase(java.util.Locale.ROOT)), MILLIS - 5, "before", 0);
        Verdict v = evaluate(service("all"), checks, prev, NOW).verdict();
        assertThat(v.state().label()).isEqualTo(state);
        assertThat(v.reasonAt(NOW)).isEqualTo(reason);
        assertThat(reloadHold.holds("web")).as("the hold ends once every check is ready").isEqualTo(checks.contains("W"));
    }

    @Test
    void a_reload_hold_needs_a_previous_verdict() {
        reloadHold.hold("web");
        assertThat(evaluate(service("all"), "UW", null, NOW).verdict().reasonAt(NOW))
                .isEqualTo("starting: file has 0 of 2 results");
    }

    @Test
    void the_startup_gate_keeps_a_healthy_service_down_and_counts_down_to_its_opening() {
        StartupGate closed = new StartupGate(NOW + Duration.ofSeconds(5).toNanos(), false);
        ServiceEvaluator e = new ServiceEvaluator(closed, flap, drains, reloadHold);
        Map<String, CheckRecord> up = Map.of("tcp", record('U'), "file", record('U'));
        Verdict v = e.evaluate(service("all"), null, up::get, SETTINGS, NOW, MILLIS).verdict();
        assertThat(v.state()).isEqualTo(ServiceState.DOWN);
        assertThat(v.reasonAt(NOW)).isEqualTo("starting: startup_delay, nothing is announced for 5s more");
        assertThat(v.reasonAt(NOW + Duration.ofMillis(4_500).toNanos()))
                .isEqualTo("starting: startup_delay, nothing is announced for 500ms more");
        closed.open();
        assertThat(e.evaluate(service("all"), v, up::get, SETTINGS, NOW, MILLIS).verdict().state()).isEqualTo(ServiceState.UP);
    }

    /** Drains, by whether the hold is still running and whether the checks would announce. */
    @ParameterizedTest(name = "drain running={0}, checks {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "true  | UU | draining | draining: announced with the draining attributes until drain_hold ends in 30s",
            "false | UU | drained  | drained by an operator; `rhid resume web` announces it again",
            "true  | DD | drained  | drained by an operator; `rhid resume web` announces it again",
    })
    void a_drain_announces_with_draining_attributes_then_withdraws(boolean running, String checks, String state, String reason) {
        long holdEnds = running ? NOW + Duration.ofSeconds(30).toNanos() : NOW - 1;
        drains.put("web", new DrainHold.Drain(MILLIS, holdEnds, false));
        Verdict v = evaluate(service("all"), checks, null, NOW).verdict();
        assertThat(v.state().label()).isEqualTo(state);
        assertThat(v.reasonAt(NOW)).isEqualTo(reason);
        assertThat(drains.get("web").done()).isEqualTo(state.equals("drained"));
    }

    @Test
    void a_service_that_changes_state_too_often_is_held_withdrawn_until_the_hold_ends() {
        ServiceConfig s = service("all");
        Verdict v = evaluate(s, "UU", null, NOW).verdict();
        long t = NOW;
        // flap.max_changes 2: the third change within the window starts the hold
        String[] checks = {"DD", "UU", "DD", "UU"};
        boolean[] holdStarts = {false, false, true, false};
        for (int i = 0; i < checks.length; i++) {
            t += Duration.ofSeconds(1).toNanos();
            ServiceEvaluator.Evaluation e = evaluate(s, checks[i], v, t);
            assertThat(e.holdStarted()).as("change %d", i + 1).isEqualTo(holdStarts[i]);
            v = e.verdict();
        }
        assertThat(v.state()).isEqualTo(ServiceState.DOWN);
        assertThat(v.reasonAt(t)).isEqualTo("held withdrawn by flap damping for 1m59s more: over 2 state changes within 1m "
                + "(now up; `rhid resume web` releases the hold)");
        long holdEnd = NOW + Duration.ofSeconds(3).toNanos() + Duration.ofMinutes(2).toNanos();
        assertThat(flap.nextDeadline()).isEqualTo(holdEnd);
        assertThat(flap.dueServices(holdEnd - 1)).isEmpty();
        assertThat(flap.dueServices(holdEnd)).containsExactly("web");
        ServiceEvaluator.Evaluation after = evaluate(s, "UU", v, holdEnd);
        assertThat(after.holdEnded()).isTrue();
        assertThat(after.verdict().state()).isEqualTo(ServiceState.UP);
        assertThat(flap.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void an_unchanged_verdict_keeps_its_since_and_a_new_reason_keeps_the_state_since() {
        ServiceConfig s = service("any");
        Verdict first = evaluate(s, "UD", null, NOW).verdict();
        assertThat(evaluator.evaluate(s, first, Map.of("tcp", record('U'), "file", record('D'))::get, SETTINGS, NOW,
                MILLIS + 1_000).verdict()).isSameAs(first);
        Verdict other = evaluator.evaluate(s, first, Map.of("tcp", record('D'), "file", record('U'))::get, SETTINGS, NOW,
                MILLIS + 1_000).verdict();
        assertThat(other.state()).isEqualTo(ServiceState.DEGRADED);
        assertThat(other.sinceMillis()).isEqualTo(MILLIS);
        assertThat(other.reason()).startsWith("1 of 2 checks failing: " + TCP);
    }
}
