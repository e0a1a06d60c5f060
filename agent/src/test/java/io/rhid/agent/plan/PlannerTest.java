package io.rhid.agent.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.health.ServiceState;
import io.rhid.agent.testing.Configs;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PlannerTest {

    /** Services a and b share 198.51.100.53; a also has .10, b also has .20. */
    static RhidConfig shared(boolean removeWhenDown) {
        return Configs.parse("""
                router: { bird: { asn: 65000 } }
                addresses: { remove_when_down: %s }
                services:
                  a:
                    prefixes: [198.51.100.10, 198.51.100.53]
                    announce:
                      up: { communities: ["65000:1"], med: 10 }
                      degraded: { communities: ["65000:2"], med: 50 }
                    checks: [{ type: tcp, address: "127.0.0.1:1" }]
                  b:
                    prefixes: [198.51.100.53, 198.51.100.20]
                    announce:
                      up: { communities: ["65000:3"], med: 20, prepend: 1 }
                    checks: [{ type: tcp, address: "127.0.0.1:2" }]
                """.formatted(removeWhenDown));
    }

    static Map<String, ServiceState> states(ServiceState a, ServiceState b) {
        Map<String, ServiceState> m = new HashMap<>();
        m.put("a", a);
        m.put("b", b);
        return m;
    }

    @ParameterizedTest(name = "a {0}, b {1} -> announced {2}, shared state {3}")
    @CsvSource({
            "UP,       UP,       .10 .20 .53, UP",
            "UP,       DOWN,     .10,         -",
            "DOWN,     UP,       .20,         -",
            "DOWN,     DOWN,     '',          -",
            "UP,       DEGRADED, .10 .20 .53, DEGRADED",
            "DRAINING, UP,       .10 .20 .53, DRAINING",
            "DRAINING, DEGRADED, .10 .20 .53, DRAINING",
            "UP,       DRAINED,  .10,         -",
    })
    void announces_a_shared_prefix_only_while_every_service_listing_it_is_announced(
            ServiceState a, ServiceState b, String announced, String sharedState) {
        DesiredState d = Planner.plan(shared(false), states(a, b));
        List<String> expected = announced.isBlank() ? List.of()
                : Arrays.stream(announced.split(" ")).map(s -> "198.51.100" + s + "/32").sorted().toList();
        assertThat(d.announcements().keySet()).extracting(Prefix::toString).containsExactlyElementsOf(expected);
        Announcement shared = d.announcements().get(Prefix.of("198.51.100.53"));
        if (sharedState.equals("-")) {
            assertThat(shared).isNull();
        } else {
            assertThat(shared.state()).isEqualTo(ServiceState.valueOf(sharedState));
            assertThat(shared.services()).containsExactly("a", "b");
        }
    }

    @Test
    void gives_a_shared_prefix_the_attributes_of_its_worst_state() {
        DesiredState d = Planner.plan(shared(false), states(ServiceState.DEGRADED, ServiceState.UP));
        Announcement shared = d.announcements().get(Prefix.of("198.51.100.53"));
        assertThat(shared.attributes().communities()).extracting(Object::toString).containsExactly("65000:2");
        assertThat(shared.attributes().med()).hasValue(50);
    }

    @Test
    void merges_the_attributes_of_services_tied_at_the_worst_state() {
        DesiredState d = Planner.plan(shared(false), states(ServiceState.UP, ServiceState.UP));
        Announcement shared = d.announcements().get(Prefix.of("198.51.100.53"));
        assertThat(shared.attributes().communities()).extracting(Object::toString).containsExactly("65000:1", "65000:3");
        assertThat(shared.attributes().med()).as("the highest MED").hasValue(20);
        assertThat(shared.attributes().prepend()).isEqualTo(1);
        assertThat(d.announcements().get(Prefix.of("198.51.100.10")).attributes().med()).hasValue(10);
    }

    @Test
    void keeps_every_address_while_withdrawn_unless_remove_when_down() {
        Map<String, ServiceState> aDown = states(ServiceState.DOWN, ServiceState.UP);
        assertThat(Planner.plan(shared(false), aDown).addresses()).extracting(Prefix::toString)
                .containsExactly("198.51.100.10/32", "198.51.100.20/32", "198.51.100.53/32");
        assertThat(Planner.plan(shared(true), aDown).addresses()).extracting(Prefix::toString)
                .containsExactly("198.51.100.20/32");
    }

    @Test
    void manages_no_addresses_when_told_not_to() {
        RhidConfig c = Configs.parse("""
                addresses: { manage: false }
                services:
                  a:
                    prefixes: [198.51.100.10]
                    checks: [{ type: tcp, address: "127.0.0.1:1" }]
                """);
        DesiredState d = Planner.plan(c, Map.of("a", ServiceState.UP));
        assertThat(d.addresses()).isEmpty();
        assertThat(d.announcements()).hasSize(1);
    }

    @Test
    void treats_a_service_without_a_state_as_down_and_is_deterministic() {
        assertThat(Planner.plan(shared(false), Map.of()).announcements()).isEmpty();
        assertThat(Planner.plan(shared(false), states(ServiceState.UP, ServiceState.UP)))
                .isEqualTo(Planner.plan(shared(false), states(ServiceState.UP, ServiceState.UP)));
    }
}
