package io.rhid.agent.router.frr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.ExportQuery;
import io.rhid.agent.testing.Configs;
import io.rhid.agent.testing.FakeCommandRunner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Reading what bgpd advertises from vtysh's JSON (the real bgpd is in FrrIT). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FrrExportsTest {

    /** As FRR 8.4 prints it (abridged): one neighbour up in both families, one that is not. */
    static final String SUMMARY = """
            {
            "ipv4Unicast":{"routerId":"10.255.0.1","as":65000,"vrfName":"default","peers":{
              "10.255.0.2":{"remoteAs":65001,"version":4,"state":"Established","peerState":"OK","pfxRcd":0,"pfxSnt":2},
              "10.255.0.6":{"remoteAs":65002,"version":4,"state":"Active","peerState":"OK","pfxRcd":0,"pfxSnt":0}},
             "failedPeers":1,"totalPeers":2},
            "ipv6Unicast":{"routerId":"10.255.0.1","as":65000,"vrfName":"default","peers":{
              "10.255.0.2":{"remoteAs":65001,"version":4,"state":"Established","peerState":"OK","pfxRcd":0,"pfxSnt":1}},
             "totalPeers":1}
            }
            """;
    static final String ADVERTISED_V4 = """
            {"bgpTableVersion":3,"bgpLocalRouterId":"10.255.0.1","defaultLocPrf":100,"localAS":65000,"advertisedRoutes":{
              "192.0.2.0/24":{"addrPrefix":"192.0.2.0","prefixLen":24,"network":"192.0.2.0/24","nextHop":"0.0.0.0","weight":32768,"path":"","origin":"IGP"},
              "198.51.100.53/32":{"addrPrefix":"198.51.100.53","prefixLen":32,"network":"198.51.100.53/32","nextHop":"0.0.0.0","weight":32768,"path":"","origin":"IGP"}},
             "totalPrefixCounter":2,"filteredPrefixCounter":0}
            """;
    static final String ADVERTISED_V6 = """
            {"bgpTableVersion":2,"bgpLocalRouterId":"10.255.0.1","defaultLocPrf":100,"localAS":65000,"advertisedRoutes":{
              "2001:db8::53/128":{"addrPrefix":"2001:db8::53","prefixLen":128,"network":"2001:db8::53/128","nextHop":"::","weight":32768,"path":"","origin":"IGP"}},
             "totalPrefixCounter":1,"filteredPrefixCounter":0}
            """;

    final RhidConfig config = Configs.parse("""
            router: { daemon: frr, frr: { asn: 65000, vtysh_args: [--vty_socket, /run/frr/ns1] } }
            services:
              dns:
                prefixes: [198.51.100.53/32, "2001:db8::53/128"]
                checks: [{ type: tcp, address: "127.0.0.1:53" }]
            """);

    static String command(List<String> argv) {
        return String.join(" ", argv.subList(argv.indexOf("bgpd") + 1, argv.size()));
    }

    @Test
    void counts_per_prefix_the_established_neighbours_that_were_sent_it_in_one_vtysh_run_after_the_summary() throws Exception {
        FakeCommandRunner vtysh = new FakeCommandRunner((argv, stdin) -> command(argv).equals("-c show bgp summary json")
                ? FakeCommandRunner.ok(argv, SUMMARY)
                : FakeCommandRunner.ok(argv, ADVERTISED_V4 + ADVERTISED_V6));
        ExportQuery.Exports e = new FrrExports(config.router().frr(), vtysh, Duration.ofSeconds(1)).query();

        assertThat(e.sessions()).containsExactly("10.255.0.2");
        assertThat(e.counts()).containsExactly(Map.entry(Prefix.of("192.0.2.0/24"), 1),
                Map.entry(Prefix.of("198.51.100.53/32"), 1), Map.entry(Prefix.of("2001:db8::53/128"), 1));
        assertThat(vtysh.calls()).hasSize(2);
        assertThat(vtysh.calls().get(0).argv()).startsWith("/usr/bin/vtysh", "--vty_socket", "/run/frr/ns1", "-d", "bgpd");
        assertThat(command(vtysh.calls().get(1).argv())).isEqualTo(
                "-c show bgp ipv4 unicast neighbors 10.255.0.2 advertised-routes json"
                        + " -c show bgp ipv6 unicast neighbors 10.255.0.2 advertised-routes json");
    }

    @Test
    void asks_no_neighbour_that_was_sent_nothing() throws Exception {
        String nothingSent = SUMMARY.replace("\"pfxSnt\":2", "\"pfxSnt\":0").replace("\"pfxSnt\":1", "\"pfxSnt\":0");
        FakeCommandRunner vtysh = new FakeCommandRunner((argv, stdin) -> FakeCommandRunner.ok(argv, nothingSent));
        ExportQuery.Exports e = new FrrExports(config.router().frr(), vtysh, Duration.ofSeconds(1)).query();
        assertThat(e.sessions()).containsExactly("10.255.0.2");
        assertThat(e.count(Prefix.of("198.51.100.53/32"))).isZero();
        assertThat(vtysh.calls()).hasSize(1);
    }

    @Test
    void reports_a_failed_or_unreadable_answer() {
        FakeCommandRunner down = new FakeCommandRunner((argv, stdin) -> FakeCommandRunner.failed(argv, 1,
                "bgpd is not running"));
        assertThatThrownBy(() -> new FrrExports(config.router().frr(), down, Duration.ofSeconds(1)).query())
                .isInstanceOf(ApplyException.class)
                .hasMessage("vtysh -c 'show bgp summary json' failed (exit 1): bgpd is not running");
        FakeCommandRunner short1 = new FakeCommandRunner((argv, stdin) -> command(argv).equals("-c show bgp summary json")
                ? FakeCommandRunner.ok(argv, SUMMARY) : FakeCommandRunner.ok(argv, ADVERTISED_V4));
        assertThatThrownBy(() -> new FrrExports(config.router().frr(), short1, Duration.ofSeconds(1)).query())
                .hasMessageStartingWith("bgpd gave 1 answers to 2 vtysh show commands");
    }

    @Test
    void asks_in_the_configured_vrf() throws Exception {
        RhidConfig vrf = Configs.parse("""
                router: { daemon: frr, frr: { asn: 65000, vrf: blue } }
                services:
                  dns:
                    prefixes: [198.51.100.53/32]
                    checks: [{ type: tcp, address: "127.0.0.1:53" }]
                """);
        FakeCommandRunner vtysh = new FakeCommandRunner((argv, stdin) -> command(argv).endsWith("summary json")
                ? FakeCommandRunner.ok(argv, SUMMARY) : FakeCommandRunner.ok(argv, ADVERTISED_V4 + ADVERTISED_V6));
        new FrrExports(vrf.router().frr(), vtysh, Duration.ofSeconds(1)).query();
        assertThat(command(vtysh.calls().get(0).argv())).isEqualTo("-c show bgp vrf blue summary json");
        assertThat(command(vtysh.calls().get(1).argv())).startsWith("-c show bgp vrf blue ipv4 unicast neighbors 10.255.0.2");
    }
}
