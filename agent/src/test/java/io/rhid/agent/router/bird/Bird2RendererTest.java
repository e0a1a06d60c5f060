package io.rhid.agent.router.bird;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.health.ServiceState;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.plan.Planner;
import io.rhid.agent.testing.Configs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Golden files under src/test/resources/golden/bird2: the exact include file for a set of states.
 * To regenerate after an intended change, run with -Drhid.golden.update=true and review the diff.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class Bird2RendererTest {

    static final RhidConfig CONFIG = Configs.parse("""
            router:
              bird: { asn: 65000, protocol_v4: anycast4, protocol_v6: anycast6 }
            services:
              dns:
                prefixes: [198.51.100.53/32, "2001:db8::53/128"]
                announce:
                  up:       { communities: ["65000:100"], large_communities: ["65000:1:100"], med: 100 }
                  degraded: { communities: ["65000:100"], med: 500, prepend: 2 }
                checks: [{ type: tcp, address: "127.0.0.1:53" }]
              ntp:
                prefixes: [198.51.100.123/32, 198.51.100.53/32]
                announce:
                  up: { communities: ["65000:100"], large_communities: ["65000:1:100"], med: 100 }
                checks: [{ type: tcp, address: "127.0.0.1:123" }]
              web:
                prefixes: [203.0.113.0/24, "2001:db8:80::/48"]
                checks: [{ type: tcp, address: "127.0.0.1:80" }]
            """);

    static void assertGolden(String name, String actual) throws IOException {
        Path file = Path.of("src/test/resources/golden/bird2", name);
        if (Boolean.getBoolean("rhid.golden.update")) {
            Files.writeString(file, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }

    static String render(Map<String, ServiceState> states) {
        DesiredState d = Planner.plan(CONFIG, states);
        return Bird2Renderer.render(d, CONFIG.router().bird());
    }

    @Test
    void renders_both_protocols_and_the_function_when_nothing_is_announced() throws IOException {
        assertGolden("empty.conf", render(Map.of()));
    }

    @Test
    void renders_routes_and_groups_prefixes_by_attribute_set_per_family() throws IOException {
        assertGolden("all-up.conf", render(Map.of("dns", ServiceState.UP, "ntp", ServiceState.UP, "web", ServiceState.UP)));
    }

    @Test
    void renders_degraded_and_draining_attributes() throws IOException {
        Map<String, ServiceState> states = new HashMap<>();
        states.put("dns", ServiceState.DEGRADED);
        states.put("ntp", ServiceState.UP);
        states.put("web", ServiceState.DRAINING);
        assertGolden("degraded-draining.conf", render(states));
    }

    @Test
    void is_byte_for_byte_deterministic() {
        Map<String, ServiceState> up = Map.of("dns", ServiceState.UP, "ntp", ServiceState.UP, "web", ServiceState.UP);
        assertThat(render(up)).isEqualTo(render(new HashMap<>(up)));
    }
}
