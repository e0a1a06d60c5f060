package io.rhid.agent.router.frr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.health.ServiceState;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.plan.Planner;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.Drift;
import io.rhid.agent.testing.Configs;
import io.rhid.agent.testing.FakeCommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FRR applier against a scripted vtysh, bgpd and frr-reload.py (the real daemons are in FrrIT). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FrrApplierTest {

    static final String SERVICES = """
            services:
              web:
                prefixes: [198.51.100.80/32, "2001:db8::80/128"]
                announce:
                  up: { communities: ["65000:100"], med: 100 }
                  degraded: { med: 500, prepend: 2 }
                checks: [{ type: tcp, address: "127.0.0.1:80" }]
            """;

    @TempDir
    Path dir;

    FakeFrr frr;
    RhidConfig config;
    FrrApplier applier;
    final List<Long> pauses = new ArrayList<>();

    /**
     * The fixture of every test: a bgpd running {@code router bgp bgpdAsn} (with an operator's
     * neighbor, network and route-map), rhid's config with {@code frrSection}, and the applier.
     */
    void given(long bgpdAsn, String frrSection) {
        frr = FakeFrr.withInstance(bgpdAsn);
        config = config(frrSection);
        applier = applier(config);
    }

    RhidConfig config(String frrSection) {
        return Configs.parse("""
                router:
                  daemon: frr
                  frr: %s
                """.formatted(frrSection) + SERVICES);
    }

    FrrApplier applier(RhidConfig config) {
        return new FrrApplier(config.router().frr(), frr.runner, Duration.ofSeconds(10), pauses::add);
    }

    static DesiredState web(RhidConfig config, ServiceState state) {
        return Planner.plan(config, Map.of("web", state));
    }

    List<List<String>> argvs() {
        return frr.calls().stream().map(FakeCommandRunner.Call::argv).toList();
    }

    @Nested
    class Vtysh_mode {

        String vtysh() {
            return "{ asn: 65000, vtysh_args: [--vty_socket, %s] }".formatted(dir);
        }

        @BeforeEach
        void setUp() {
            given(65000, vtysh());
        }

        @Test
        void announces_in_one_vtysh_batch_on_stdin_then_verifies_the_running_config_and_the_bgp_table() throws Exception {
            applier.apply(web(config, ServiceState.UP));

            String v = FakeFrr.VTYSH;
            String sock = dir.toString();
            assertThat(argvs()).containsExactly(
                    List.of(v, "--vty_socket", sock, "-d", "bgpd", "-c", "show running-config"),
                    List.of(v, "--vty_socket", sock, "-d", "bgpd", "-f", "/dev/stdin"),
                    List.of(v, "--vty_socket", sock, "-d", "bgpd", "-c", "show running-config"),
                    List.of(v, "--vty_socket", sock, "-d", "bgpd", "-c", "show bgp ipv4 unicast 198.51.100.80/32 json",
                            "-c", "show bgp ipv6 unicast 2001:db8::80/128 json"));
            assertThat(frr.batches()).containsExactly("""
                    ! rhid vtysh batch for router bgp 65000: networks +2 -0, route-maps +1 ~0 -0
                    route-map rhid-web-up permit 10
                     set community 65000:100 additive
                     set metric 100
                    exit
                    router bgp 65000
                     address-family ipv4 unicast
                      network 198.51.100.80/32 route-map rhid-web-up
                     exit-address-family
                     address-family ipv6 unicast
                      network 2001:db8::80/128 route-map rhid-web-up
                     exit-address-family
                    exit
                    """);
            assertThat(frr.instances.get("router bgp 65000").v4).containsEntry(Prefix.of("198.51.100.80/32"), "rhid-web-up");
        }

        @Test
        void withdraws_network_lines_before_deleting_their_route_map_and_leaves_the_operators_lines_alone() throws Exception {
            String before = frr.runningConfig();
            applier.apply(web(config, ServiceState.UP));
            applier.apply(web(config, ServiceState.DOWN));

            assertThat(frr.batches()).hasSize(2);
            assertThat(frr.batches().get(1)).isEqualTo("""
                    ! rhid vtysh batch for router bgp 65000: networks +0 -2, route-maps +0 ~0 -1
                    router bgp 65000
                     address-family ipv4 unicast
                      no network 198.51.100.80/32
                     exit-address-family
                     address-family ipv6 unicast
                      no network 2001:db8::80/128
                     exit-address-family
                    exit
                    no route-map rhid-web-up
                    """);
            assertThat(frr.runningConfig()).isEqualTo(before);
        }

        @Test
        void runs_no_batch_when_bgpd_already_holds_the_desired_lines() throws Exception {
            applier.apply(web(config, ServiceState.UP));
            applier.apply(web(config, ServiceState.UP));

            assertThat(frr.batches()).hasSize(1);
        }

        @Test
        void repoints_prefixes_to_the_route_map_of_their_new_state_without_withdrawing_them() throws Exception {
            applier.apply(web(config, ServiceState.UP));
            applier.apply(web(config, ServiceState.DEGRADED));

            assertThat(frr.batches().get(1)).isEqualTo("""
                    ! rhid vtysh batch for router bgp 65000: networks +2 -0, route-maps +1 ~0 -1
                    route-map rhid-web-degraded permit 10
                     set as-path prepend 65000 65000
                     set metric 500
                    exit
                    router bgp 65000
                     address-family ipv4 unicast
                      network 198.51.100.80/32 route-map rhid-web-degraded
                     exit-address-family
                     address-family ipv6 unicast
                      network 2001:db8::80/128 route-map rhid-web-degraded
                     exit-address-family
                    exit
                    no route-map rhid-web-up
                    """);
        }

        @Test
        void edits_a_route_map_changed_by_hand_in_place_and_reissues_the_network_lines_that_use_it() throws Exception {
            applier.apply(web(config, ServiceState.UP));
            FakeFrr.Entry entry = frr.routeMaps.get("rhid-web-up").get(10);
            entry.lines.clear();
            entry.lines.addAll(List.of("set metric 999", "set local-preference 200", "description hand made"));
            frr.routeMaps.get("rhid-web-up").put(20, new FakeFrr.Entry("deny"));

            assertThat(applier.drift(web(config, ServiceState.UP))).containsExactly(new Drift("routes",
                    "bgpd's running config differs from what rhid applied: route-maps differing: rhid-web-up"));
            applier.apply(web(config, ServiceState.UP));

            assertThat(frr.batches().get(1)).isEqualTo("""
                    ! rhid vtysh batch for router bgp 65000: networks +2 -0, route-maps +0 ~1 -0
                    route-map rhid-web-up permit 10
                     no description
                     no set local-preference 200
                     set community 65000:100 additive
                     set metric 100
                    exit
                    no route-map rhid-web-up deny 20
                    router bgp 65000
                     address-family ipv4 unicast
                      network 198.51.100.80/32 route-map rhid-web-up
                     exit-address-family
                     address-family ipv6 unicast
                      network 2001:db8::80/128 route-map rhid-web-up
                     exit-address-family
                    exit
                    """);
            assertThat(applier.drift(web(config, ServiceState.UP))).isEmpty();
        }

        @Test
        void reports_drift_when_a_restarted_bgpd_lost_rhids_lines_and_repairs_it() throws Exception {
            DesiredState up = web(config, ServiceState.UP);
            applier.apply(up);
            assertThat(applier.drift(up)).isEmpty();

            frr.instances.get("router bgp 65000").v4.remove(Prefix.of("198.51.100.80/32"));
            frr.instances.get("router bgp 65000").v6.clear();
            frr.routeMaps.remove("rhid-web-up");

            assertThat(applier.drift(up)).containsExactly(new Drift("routes", "bgpd's running config differs from what rhid "
                    + "applied: 2 network lines missing (198.51.100.80/32, 2001:db8::80/128); route-maps missing: rhid-web-up"));
            applier.apply(up);
            assertThat(applier.drift(up)).isEmpty();
        }

        @Test
        void never_creates_a_bgp_instance_when_bgpd_runs_another_asn() {
            given(65001, vtysh());

            assertThatThrownBy(() -> applier.apply(web(config, ServiceState.UP)))
                    .isInstanceOf(ApplyException.class)
                    .hasMessage("bgpd has no `router bgp 65000` (router.frr.asn); it has router bgp 65001. "
                            + "rhid announces only from an existing instance and never creates one");
            assertThat(frr.batches()).isEmpty();
        }

        @Test
        void says_which_vrf_is_missing() {
            RhidConfig red = config("{ asn: 65000, vrf: red, vtysh_args: [--vty_socket, %s] }".formatted(dir));
            frr.vrfs.add("vrf blue id 5 table 10");
            FrrApplier a = applier(red);

            assertThatThrownBy(() -> a.apply(web(red, ServiceState.UP)))
                    .hasMessage("bgpd has no `router bgp 65000 vrf red` (router.frr.asn and router.frr.vrf); it has "
                            + "router bgp 65000; VRF red does not exist in FRR (show vrf). rhid announces only from an "
                            + "existing instance and never creates one");
        }

        @Test
        void announces_from_a_vrf_instance_and_asks_that_vrfs_bgp_table() throws Exception {
            RhidConfig red = config("{ asn: 65000, vrf: red, vtysh_args: [--vty_socket, %s] }".formatted(dir));
            frr.instance("router bgp 65000 vrf red");
            applier(red).apply(web(red, ServiceState.UP));

            assertThat(frr.instances.get("router bgp 65000 vrf red").v4).containsKey(Prefix.of("198.51.100.80/32"));
            assertThat(frr.instances.get("router bgp 65000").v4).doesNotContainKey(Prefix.of("198.51.100.80/32"));
            assertThat(argvs().get(argvs().size() - 1)).contains("show bgp vrf red ipv4 unicast 198.51.100.80/32 json");
        }

        @Test
        void says_bgpd_is_not_running_instead_of_trusting_vtyshs_exit_status() {
            frr.bgpdRunning = false;

            assertThatThrownBy(() -> applier.apply(web(config, ServiceState.UP)))
                    .hasMessage("bgpd is not running (nothing listens on " + dir.resolve("bgpd.vty")
                            + "; vtysh: Exiting: failed to connect to any daemons.)");
            assertThat(frr.batches()).isEmpty();
        }

        @Test
        void names_the_config_field_when_vtysh_is_missing() {
            frr.vtyshInstalled = false;

            assertThatThrownBy(() -> applier.apply(web(config, ServiceState.UP)))
                    .hasMessage("cannot run vtysh (router.frr.vtysh is /usr/bin/vtysh): cannot start /usr/bin/vtysh: "
                            + "error=2, No such file or directory");
        }

        @Test
        void reports_exactly_which_lines_bgpd_refused() {
            frr.refusedLines.add("network 2001:db8::80/128 route-map rhid-web-up");

            assertThatThrownBy(() -> applier.apply(web(config, ServiceState.UP)))
                    .hasMessage("bgpd does not hold rhid's lines after the vtysh batch (networks +2 -0, route-maps +1 ~0 -0): "
                            + "1 network line missing (2001:db8::80/128) (vtysh (exit 2): line 11: % Unknown command[4]:"
                            + "   network 2001:db8::80/128 route-map rhid-web-up)");
        }

        @Test
        void reports_prefixes_bgpd_does_not_originate_because_they_are_not_in_zebras_rib() throws Exception {
            frr.notInRib.add(Prefix.of("198.51.100.80/32"));

            assertThatThrownBy(() -> applier.apply(web(config, ServiceState.UP)))
                    .hasMessage("bgpd does not announce 1 of rhid's prefixes although their network lines are configured: "
                            + "198.51.100.80/32: not valid (next hop not accessible: the prefix is not in zebra's RIB). "
                            + "With `bgp network import-check` (FRR's default) a network is announced only while the prefix "
                            + "itself is in zebra's RIB: the service address on the loopback does that for a /32 or /128; "
                            + "a shorter prefix needs a route of its own (e.g. a static blackhole route)");
            assertThat(pauses).containsExactly(20L, 40L, 80L, 160L, 300L);

            // Once zebra has the route, the retry succeeds without another batch.
            frr.notInRib.clear();
            applier.apply(web(config, ServiceState.UP));
            assertThat(frr.batches()).hasSize(1);
        }

        @Test
        void leaves_a_network_line_of_the_operators_alone_and_says_it_cannot_withdraw_that_prefix() {
            frr.instances.get("router bgp 65000").v4.put(Prefix.of("198.51.100.80/32"), "operator-x");

            assertThatThrownBy(() -> applier.apply(web(config, ServiceState.UP)))
                    .hasMessage("1 prefix has a network line of the operator's in router bgp 65000 (without an rhid-* "
                            + "route-map): 198.51.100.80/32; rhid leaves those lines alone, so it cannot withdraw these "
                            + "prefixes: remove the lines or the prefixes from rhid's config");
            assertThat(frr.instances.get("router bgp 65000").v4).containsEntry(Prefix.of("198.51.100.80/32"), "operator-x");
            assertThat(frr.instances.get("router bgp 65000").v6).containsEntry(Prefix.of("2001:db8::80/128"), "rhid-web-up");
        }

        @Test
        void withdraw_all_removes_rhids_lines_from_every_instance_without_a_desired_state() throws Exception {
            frr.instances.get("router bgp 65000").v4.put(Prefix.of("198.51.100.80/32"), "rhid-web-up");
            frr.instance("router bgp 65001 vrf blue").v6.put(Prefix.of("2001:db8::1/128"), "rhid-old-draining");
            frr.routeMaps.put("rhid-web-up", new TreeMap<>(Map.of(10, new FakeFrr.Entry("permit"))));
            frr.routeMaps.put("rhid-old-draining", new TreeMap<>(Map.of(10, new FakeFrr.Entry("permit"))));

            assertThat(applier.withdrawAll()).isEqualTo("withdrew 2 prefixes from bgpd (removed 2 network lines and 2 route-maps)");
            assertThat(frr.runningConfig()).doesNotContain("rhid-").contains("network 192.0.2.0/24", "route-map operator-x");
            assertThat(applier.withdrawAll()).isEqualTo("bgpd holds no network lines or route-maps of rhid's; nothing to withdraw");
        }

        @Test
        void withdraw_all_says_nothing_is_announced_when_bgpd_is_not_running() throws Exception {
            frr.bgpdRunning = false;

            assertThat(applier.withdrawAll()).isEqualTo("bgpd is not running (nothing listens on " + dir.resolve("bgpd.vty")
                    + "; vtysh: Exiting: failed to connect to any daemons.), so nothing is announced (rhid's lines went "
                    + "with bgpd's running config)");
        }

        @Test
        void renders_without_running_anything() {
            FrrApplier offline = new FrrApplier(config.router().frr(), (argv, stdin, timeout) -> {
                throw new AssertionError("render ran " + argv);
            }, Duration.ofSeconds(1));

            assertThat(offline.render(web(config, ServiceState.UP)))
                    .startsWith("! rhid vtysh batch for router bgp 65000: networks +2 -0, route-maps +1 ~0 -0\n")
                    .contains(" set community 65000:100 additive\n");
            assertThat(offline.daemon()).isEqualTo("frr");
        }
    }

    @Nested
    class Reload_mode {

        static final String OPERATOR_FILE = """
                frr defaults traditional
                hostname vm
                !
                router bgp 65000
                 neighbor 10.255.0.2 remote-as 65001
                 neighbor 10.255.0.2 description uplink
                 !
                 address-family ipv4 unicast
                  network 192.0.2.0/24
                 exit-address-family
                exit
                !
                route-map operator-x permit 10
                exit
                """;

        Path file;

        @BeforeEach
        void setUp() throws IOException {
            file = Files.writeString(dir.resolve("frr.conf"), OPERATOR_FILE);
            given(65000, "{ asn: 65000, mode: reload, config_file: %s, vtysh_args: [--vty_socket, %s], "
                    .formatted(file, dir) + "frr_reload_args: [--confdir, %s, --rundir, %s] }".formatted(dir, dir));
        }

        @Test
        void appends_its_block_validates_reloads_and_verifies_keeping_every_other_byte() throws Exception {
            DesiredState up = web(config, ServiceState.UP);
            applier.apply(up);

            assertThat(Files.readString(file)).isEqualTo(OPERATOR_FILE + FrrSyntax.block(up, config.router().frr()));
            String v = FakeFrr.VTYSH;
            String sock = dir.toString();
            String f = file.toString();
            assertThat(argvs()).containsExactly(
                    List.of(v, "--vty_socket", sock, "-d", "bgpd", "-c", "show running-config"),
                    List.of(FakeFrr.FRR_RELOAD, "--test", "--confdir", sock, "--rundir", sock, f),
                    List.of(FakeFrr.FRR_RELOAD, "--reload", "--stdout", "--confdir", sock, "--rundir", sock, f),
                    List.of(v, "--vty_socket", sock, "-d", "bgpd", "-c", "show running-config"),
                    List.of(v, "--vty_socket", sock, "-d", "bgpd", "-c", "show bgp ipv4 unicast 198.51.100.80/32 json",
                            "-c", "show bgp ipv6 unicast 2001:db8::80/128 json"));
            assertThat(frr.instances.get("router bgp 65000").v6).containsEntry(Prefix.of("2001:db8::80/128"), "rhid-web-up");

            applier.apply(web(config, ServiceState.DOWN));
            assertThat(Files.readString(file)).isEqualTo(OPERATOR_FILE + FrrSyntax.block(DesiredState.EMPTY, config.router().frr()));
            assertThat(frr.runningConfig()).doesNotContain("rhid-");
            assertThat(applier.drift(web(config, ServiceState.DOWN))).isEmpty();
        }

        @Test
        void replaces_only_the_block_wherever_the_operator_keeps_it() throws Exception {
            String withBlock = "frr defaults traditional\n" + FrrSyntax.BEGIN + "\nroute-map rhid-stale-up permit 10\nexit\n"
                    + FrrSyntax.END + "\n!\nrouter bgp 65000\nexit\nend\n";
            Files.writeString(file, withBlock);
            DesiredState up = web(config, ServiceState.UP);
            applier.apply(up);

            assertThat(Files.readString(file)).isEqualTo("frr defaults traditional\n" + FrrSyntax.block(up, config.router().frr())
                    + "!\nrouter bgp 65000\nexit\nend\n");
        }

        @Test
        void puts_the_previous_file_back_when_frr_reload_rejects_the_new_one() {
            frr.reloadTestFails = true;

            assertThatThrownBy(() -> applier.apply(web(config, ServiceState.UP)))
                    .hasMessage("frr-reload.py --test rejects " + file + " (exit 1): ERROR: vtysh failed to process new "
                            + "configuration: vtysh (mark file) exited with status 2");
            assertThat(file).hasContent(OPERATOR_FILE);
            assertThat(argvs()).noneMatch(a -> a.contains("--reload"));
        }

        @Test
        void puts_the_previous_file_back_when_the_reload_fails() {
            frr.reloadFails = true;

            assertThatThrownBy(() -> applier.apply(web(config, ServiceState.UP)))
                    .hasMessage("frr-reload.py --reload " + file + " failed (exit 1): frr-reload.py failed");
            assertThat(file).hasContent(OPERATOR_FILE);
        }

        @Test
        void requires_the_config_file_to_be_the_one_in_frr_reloads_confdir() {
            RhidConfig elsewhere = config("{ asn: 65000, mode: reload, config_file: %s, vtysh_args: [--vty_socket, %s] }"
                    .formatted(file, dir));

            assertThatThrownBy(() -> applier(elsewhere).apply(web(elsewhere, ServiceState.UP)))
                    .hasMessage("router.frr.config_file is " + file + " but frr-reload.py's confdir is /etc/frr (its default; "
                            + "set --confdir in router.frr.frr_reload_args): for any file other than exactly "
                            + "/etc/frr/frr.conf frr-reload.py ends with `write`, which overwrites /etc/frr/frr.conf with "
                            + "the running config");
        }

        @Test
        void refuses_rhid_lines_outside_its_block() throws IOException {
            Files.writeString(file, OPERATOR_FILE.replace("  network 192.0.2.0/24\n",
                    "  network 192.0.2.0/24\n  network 198.51.100.80/32 route-map rhid-web-up\n"));

            assertThatThrownBy(() -> applier.apply(web(config, ServiceState.DOWN)))
                    .hasMessage(file + " has rhid lines outside its block (! rhid begin ... ! rhid end), e.g. from a "
                            + "`write memory`; frr-reload.py would keep them configured: line 10: network 198.51.100.80/32 "
                            + "route-map rhid-web-up; remove them from the file");
        }

        @Test
        void reports_a_block_edited_by_hand_as_file_drift() throws Exception {
            DesiredState up = web(config, ServiceState.UP);
            applier.apply(up);
            Files.writeString(file, Files.readString(file).replace("set metric 100", "set metric 1"));

            assertThat(applier.drift(up)).containsExactly(new Drift("file", "rhid's block in " + file + " was changed outside rhid"));
        }

        @Test
        void withdraw_all_empties_the_block_and_reloads() throws Exception {
            applier.apply(web(config, ServiceState.UP));

            assertThat(applier.withdrawAll()).isEqualTo("emptied rhid's block in " + file
                    + "; withdrew 2 prefixes from bgpd (removed 2 network lines and 1 route-map)");
            assertThat(file).hasContent(OPERATOR_FILE + FrrSyntax.block(DesiredState.EMPTY, config.router().frr()));
            assertThat(frr.runningConfig()).doesNotContain("rhid-");
        }

        @Test
        void withdraw_all_empties_the_block_even_when_bgpd_is_not_running() throws Exception {
            applier.apply(web(config, ServiceState.UP));
            frr.bgpdRunning = false;

            assertThat(applier.withdrawAll()).isEqualTo("emptied rhid's block in " + file + "; bgpd is not running (nothing "
                    + "listens on " + dir.resolve("bgpd.vty") + "; vtysh: Exiting: failed to connect to any daemons.), so "
                    + "nothing is announced and it will start without rhid's lines");
        }

        @Test
        void withdraw_all_leaves_a_file_without_a_block_untouched() throws Exception {
            frr.bgpdRunning = false;

            assertThat(applier.withdrawAll()).isEqualTo(file + " has no rhid block; bgpd is not running (nothing listens on "
                    + dir.resolve("bgpd.vty") + "; vtysh: Exiting: failed to connect to any daemons.), so nothing is "
                    + "announced and it will start without rhid's lines");
            assertThat(file).hasContent(OPERATOR_FILE);
        }

        @Test
        void renders_the_block() {
            assertThat(applier.render(web(config, ServiceState.UP))).startsWith(FrrSyntax.BEGIN + "\n")
                    .endsWith(FrrSyntax.END + "\n");
        }
    }
}
