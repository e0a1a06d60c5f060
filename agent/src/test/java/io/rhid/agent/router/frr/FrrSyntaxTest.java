package io.rhid.agent.router.frr;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.Attributes;
import io.rhid.agent.config.Community;
import io.rhid.agent.config.LargeCommunity;
import io.rhid.agent.config.Prefix;
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
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Golden files under src/test/resources/golden/frr: the exact vtysh batch ({@code *.vtysh}) and
 * reload-mode block ({@code *.conf}) for a set of states. To regenerate after an intended change,
 * run with -Drhid.golden.update=true and review the diff.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FrrSyntaxTest {

    static final RhidConfig CONFIG = Configs.parse("""
            router:
              daemon: frr
              frr: { asn: 65000 }
            services:
              dns:
                prefixes: [198.51.100.53/32, "2001:db8::53/128"]
                announce:
                  up:       { communities: ["65000:100"], med: 100 }
                  degraded: { communities: ["65000:100"], med: 500, prepend: 2 }
                checks: [{ type: tcp, address: "127.0.0.1:53" }]
              ntp:
                prefixes: [198.51.100.123/32, 198.51.100.53/32]
                announce:
                  up: { communities: ["65000:123"], large_communities: ["65000:1:123"], med: 100 }
                checks: [{ type: tcp, address: "127.0.0.1:123" }]
              web:
                prefixes: [203.0.113.0/24, "2001:db8:80::/48"]
                checks: [{ type: tcp, address: "127.0.0.1:80" }]
            """);

    static final RhidConfig VRF = Configs.parse("""
            router:
              daemon: frr
              frr: { asn: 4200000000, vrf: red, mode: reload }
            services:
              web:
                prefixes: [203.0.113.80/32]
                announce:
                  up: { communities: ["65000:80", "65535:65281"], large_communities: ["4200000000:0:80"], med: 0, prepend: 3 }
                checks: [{ type: tcp, address: "127.0.0.1:80" }]
            """);

    static void assertGolden(String name, String actual) throws IOException {
        Path file = Path.of("src/test/resources/golden/frr", name);
        if (Boolean.getBoolean("rhid.golden.update")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }

    static DesiredState plan(RhidConfig config, Map<String, ServiceState> states) {
        return Planner.plan(config, states);
    }

    static String batch(RhidConfig config, Map<String, ServiceState> states) {
        return FrrSyntax.batch(FrrDiff.initial(plan(config, states), FrrSyntax.instance(config.router().frr())));
    }

    @Test
    void renders_a_batch_with_only_its_summary_when_nothing_is_announced() throws IOException {
        assertGolden("empty.vtysh", batch(CONFIG, Map.of()));
    }

    @Test
    void renders_one_service_with_one_route_map_for_its_state() throws IOException {
        assertGolden("one-service.vtysh", batch(CONFIG, Map.of("web", ServiceState.UP)));
    }

    @Test
    void names_the_route_map_of_a_shared_prefix_after_all_its_services_and_the_worst_state() throws IOException {
        Map<String, ServiceState> states = new HashMap<>();
        states.put("dns", ServiceState.DEGRADED);
        states.put("ntp", ServiceState.UP);
        assertGolden("shared-prefix.vtysh", batch(CONFIG, states));
    }

    @Test
    void puts_ipv4_and_ipv6_prefixes_in_their_address_families() throws IOException {
        assertGolden("v4-v6.vtysh", batch(CONFIG, Map.of("dns", ServiceState.UP, "ntp", ServiceState.UP, "web", ServiceState.UP)));
    }

    @Test
    void renders_every_attribute_kind_as_frr_prints_it_in_a_vrf() throws IOException {
        assertGolden("all-attributes.vtysh", batch(VRF, Map.of("web", ServiceState.UP)));
        assertGolden("draining.vtysh", batch(VRF, Map.of("web", ServiceState.DRAINING)));
    }

    @Test
    void renders_the_reload_block_between_its_markers() throws IOException {
        DesiredState all = plan(CONFIG, Map.of("dns", ServiceState.UP, "ntp", ServiceState.UP, "web", ServiceState.UP));
        assertGolden("reload-block.conf", FrrSyntax.block(all, CONFIG.router().frr()));
        assertGolden("reload-block-empty.conf", FrrSyntax.block(DesiredState.EMPTY, CONFIG.router().frr()));
        assertGolden("reload-block-vrf.conf", FrrSyntax.block(plan(VRF, Map.of("web", ServiceState.UP)), VRF.router().frr()));
    }

    @Test
    void renders_a_delta_with_edits_removals_and_deletions_in_a_safe_order() throws IOException {
        BgpInstance main = new BgpInstance(65000, "");
        TreeMap<String, FrrDelta.RouteMapEdit> maps = new TreeMap<>();
        maps.put("rhid-dns-degraded", new FrrDelta.RouteMapEdit(true, List.of("set metric 500"), new TreeMap<>()));
        maps.put("rhid-web-up", new FrrDelta.RouteMapEdit(false, List.of("no set metric", "set community 65000:1 additive"),
                new TreeMap<>(Map.of(20, "deny"))));
        TreeMap<Prefix, String> announce = new TreeMap<>();
        announce.put(Prefix.of("198.51.100.53/32"), "rhid-dns-degraded");
        announce.put(Prefix.of("2001:db8:80::/48"), "rhid-web-up");
        TreeMap<BgpInstance, java.util.SortedSet<Prefix>> withdraw = new TreeMap<>();
        withdraw.put(main, new TreeSet<>(List.of(Prefix.of("198.51.100.10/32"), Prefix.of("2001:db8::10/128"))));
        withdraw.put(new BgpInstance(65001, "blue"), new TreeSet<>(List.of(Prefix.of("192.0.2.1/32"))));
        FrrDelta delta = new FrrDelta(main, maps, announce, withdraw, new TreeSet<>(List.of("rhid-dns-up", "rhid-old-up")),
                new TreeSet<>());
        assertGolden("delta.vtysh", FrrSyntax.batch(delta));
    }

    @Test
    void writes_well_known_communities_by_name_and_parses_both_spellings() {
        assertThat(FrrSyntax.community(new Community(65535, 0))).isEqualTo("graceful-shutdown");
        assertThat(FrrSyntax.community(new Community(65535, 65281))).isEqualTo("no-export");
        assertThat(FrrSyntax.community(new Community(65000, 100))).isEqualTo("65000:100");
        assertThat(FrrSyntax.parseCommunity("local-AS")).contains(new Community(65535, 65283));
        assertThat(FrrSyntax.parseCommunity("65000:100")).contains(new Community(65000, 100));
        assertThat(FrrSyntax.parseCommunity("65536:1")).isEmpty();
        assertThat(FrrSyntax.parseCommunity("bogus")).isEmpty();
    }

    @Test
    void sets_nothing_for_empty_attributes_and_repeats_the_local_asn_to_prepend() {
        assertThat(FrrSyntax.setLines(Attributes.NONE, 65000)).isEmpty();
        Attributes all = new Attributes(List.of(new Community(65535, 0), new Community(1, 1)),
                List.of(new LargeCommunity(65000, 1, 2)), OptionalLong.of(7), 2);
        assertThat(FrrSyntax.setLines(all, 65000)).containsExactly(
                "set as-path prepend 65000 65000",
                "set community 1:1 graceful-shutdown additive",
                "set large-community 65000:1:2 additive",
                "set metric 7");
    }

    @Test
    void is_byte_for_byte_deterministic() {
        Map<String, ServiceState> up = Map.of("dns", ServiceState.UP, "ntp", ServiceState.UP, "web", ServiceState.UP);
        assertThat(batch(CONFIG, up)).isEqualTo(batch(CONFIG, new HashMap<>(up)));
        assertThat(FrrSyntax.block(plan(CONFIG, up), CONFIG.router().frr()))
                .isEqualTo(FrrSyntax.block(plan(CONFIG, new HashMap<>(up)), CONFIG.router().frr()));
    }
}
