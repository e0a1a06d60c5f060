package io.rhid.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RiseFallTest {

    /**
     * Results as a string of P (pass) and F (fail), from the initial (down) state; the expected
     * confirmed state after each result as U (up) and D (down).
     */
    @ParameterizedTest(name = "rise={0} fall={1}: {2} -> {3}")
    @CsvSource({
            "2, 2, P,          D",
            "2, 2, PP,         DU",
            "1, 1, P,          U",
            "1, 1, PF,         UD",
            "3, 2, PPP,        DDU",
            "3, 2, PPFPPP,     DDDDDU",
            "2, 3, PPFFF,      DUUUD",
            "2, 3, PPFFPFFF,   DUUUUUUD",
            "2, 2, FFFF,       DDDD",
            "2, 2, PPFPFP,     DUUUUU",
            "2, 2, PPFFPP,     DUUDDU",
    })
    void confirms_state_changes_after_rise_or_fall_consecutive_results(int rise, int fall, String results, String states) {
        RiseFall rf = RiseFall.INITIAL;
        StringBuilder seen = new StringBuilder();
        for (char r : results.toCharArray()) {
            rf = rf.record(r == 'P', rise, fall);
            seen.append(rf.up() ? 'U' : 'D');
        }
        assertThat(seen.toString()).isEqualTo(states);
    }

    @Test
    void starts_down_and_not_confirming_anything() {
        assertThat(RiseFall.INITIAL.up()).isFalse();
        assertThat(RiseFall.INITIAL.confirming()).isFalse();
    }

    @Test
    void is_confirming_while_a_streak_disagrees_with_the_confirmed_state() {
        RiseFall up = RiseFall.INITIAL.record(true, 2, 3).record(true, 2, 3);
        assertThat(up.up()).isTrue();
        assertThat(up.confirming()).isFalse();

        RiseFall oneFailure = up.record(false, 2, 3);
        assertThat(oneFailure.confirming()).isTrue();
        assertThat(oneFailure.streak()).isEqualTo(1);

        RiseFall recovered = oneFailure.record(true, 2, 3);
        assertThat(recovered.up()).isTrue();
        assertThat(recovered.confirming()).isFalse();
    }

    @Test
    void counts_consecutive_passes_failures_and_results() {
        RiseFall rf = RiseFall.INITIAL;
        for (boolean r : new boolean[] {true, true, true, false, false}) {
            rf = rf.record(r, 2, 2);
        }
        assertThat(rf.consecutivePasses()).isZero();
        assertThat(rf.consecutiveFailures()).isEqualTo(2);
        assertThat(rf.results()).isEqualTo(5);
        assertThat(rf.up()).isFalse();
    }

    @Test
    void saturates_counters_instead_of_overflowing() {
        RiseFall rf = new RiseFall(true, 0, Integer.MAX_VALUE, 0, Integer.MAX_VALUE).record(true, 2, 2);
        assertThat(rf.consecutivePasses()).isEqualTo(Integer.MAX_VALUE);
        assertThat(rf.results()).isEqualTo(Integer.MAX_VALUE);
    }
}
