package io.rhid.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.Policy;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ServiceStateTest {

    @ParameterizedTest(name = "policy {0}: {1} of {2} passing -> {3}")
    @CsvSource({
            "all, 3, 3, UP",
            "all, 2, 3, DOWN",
            "all, 0, 3, DOWN",
            "any, 3, 3, UP",
            "any, 1, 3, DEGRADED",
            "any, 0, 3, DOWN",
            "2,   3, 3, UP",
            "2,   2, 3, DEGRADED",
            "2,   1, 3, DOWN",
            "1,   1, 1, UP",
    })
    void follows_the_policy_and_marks_partial_passes_degraded(String policy, int passing, int total, ServiceState expected) {
        Policy p = switch (policy) {
            case "all" -> Policy.ALL;
            case "any" -> Policy.ANY;
            default -> Policy.atLeast(Integer.parseInt(policy));
        };
        assertThat(ServiceState.fromChecks(p.holds(passing, total), passing, total)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} announced: {1}")
    @CsvSource({"UP, true", "DEGRADED, true", "DRAINING, true", "DRAINED, false", "DOWN, false"})
    void announces_only_up_degraded_and_draining(ServiceState state, boolean announced) {
        assertThat(state.announced()).isEqualTo(announced);
    }
}
