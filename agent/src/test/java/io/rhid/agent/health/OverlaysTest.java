package io.rhid.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.RhidConfig;
import java.time.Duration;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each overlay's deadline and when it is due: what the control loop waits for. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OverlaysTest {

    @ParameterizedTest(name = "gate at {0}, open={1}: deadline {2}, due at {3}: {4}")
    @CsvSource({
            "100, false, 100,                 99,  false",
            "100, false, 100,                 100, true",
            "100, true,  9223372036854775807, 500, false",
            "0,   false, 0,                   0,   true",
    })
    void the_startup_gate_is_due_at_its_time_until_it_opens(long at, boolean open, long deadline, long now, boolean due) {
        StartupGate gate = new StartupGate(at, open);
        assertThat(gate.nextDeadline()).isEqualTo(deadline);
        assertThat(gate.due(now)).isEqualTo(due);
        gate.open();
        assertThat(gate.isOpen()).isTrue();
        assertThat(gate.due(Long.MAX_VALUE - 1)).isFalse();
    }

    @Test
    void a_drain_hold_is_due_when_its_earliest_running_hold_ends_and_a_done_one_never() {
        DrainHold drains = new DrainHold();
        assertThat(drains.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        drains.put("a", new DrainHold.Drain(0, 70, false));
        drains.put("b", new DrainHold.Drain(0, 50, false));
        drains.put("c", new DrainHold.Drain(0, 10, true));
        assertThat(drains.nextDeadline()).isEqualTo(50);
        assertThat(drains.dueServices(49)).isEmpty();
        assertThat(drains.dueServices(50)).containsExactly("b");
        assertThat(drains.dueServices(70)).containsExactly("a", "b");
        drains.done("b");
        assertThat(drains.nextDeadline()).isEqualTo(70);
        assertThat(drains.remove("a")).isTrue();
        assertThat(drains.remove("a")).isFalse();
        assertThat(drains.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    /** Changes at the given seconds, max_changes 2 within 10s: when the hold starts. */
    @ParameterizedTest(name = "changes at {0}s -> hold from the change at {1}s")
    @CsvSource({
            "1 2 3,       3",
            "1 2 12 13,   -",
            "1 2 12 13 14, 14",
            "1 11 21 31,  -",
    })
    void flap_damping_holds_at_the_change_that_exceeds_max_changes_within_the_window(String seconds, String holdAt) {
        RhidConfig.Flap config = new RhidConfig.Flap(2, Duration.ofSeconds(10), Duration.ofSeconds(60));
        FlapDamping flap = new FlapDamping();
        String started = "-";
        for (String s : seconds.split(" ")) {
            long now = Duration.ofSeconds(Long.parseLong(s)).toNanos();
            Long until = flap.recordChange("web", config, now);
            if (until != null) {
                assertThat(until).isEqualTo(now + Duration.ofSeconds(60).toNanos());
                started = s;
                break;
            }
        }
        assertThat(started).isEqualTo(holdAt);
        assertThat(flap.nextDeadline() != Long.MAX_VALUE).isEqualTo(!holdAt.equals("-"));
    }

    @Test
    void disabled_flap_damping_never_holds_and_release_only_reports_a_hold() {
        FlapDamping flap = new FlapDamping();
        RhidConfig.Flap off = new RhidConfig.Flap(0, Duration.ofSeconds(10), Duration.ofSeconds(60));
        for (int i = 0; i < 20; i++) {
            assertThat(flap.recordChange("web", off, i)).isNull();
        }
        assertThat(flap.release("web")).isFalse();
        RhidConfig.Flap on = new RhidConfig.Flap(1, Duration.ofSeconds(10), Duration.ofSeconds(60));
        flap.recordChange("web", on, 1);
        assertThat(flap.recordChange("web", on, 2)).isNotNull();
        assertThat(flap.release("web")).isTrue();
        assertThat(flap.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(flap.recordChange("web", on, 3)).as("released: the count starts afresh").isNull();
    }

    @Test
    void the_reload_hold_has_no_deadline() {
        ReloadHold hold = new ReloadHold();
        hold.hold("web");
        assertThat(hold.holds("web")).isTrue();
        assertThat(hold.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(hold.due(Long.MAX_VALUE - 1)).isFalse();
        hold.release("web");
        assertThat(hold.holds("web")).isFalse();
    }
}
