package io.rhid.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * rhid run end to end with a real FRR 8.4 (zebra, staticd, bgpd) on the host and a real eBGP peer
 * (BIRD, AS 65001) in the router namespace: every assertion about routes is made on the router's
 * kernel table or its BIRD's view of the received attributes. The lab's frr.conf carries operator
 * lines rhid must never touch: a {@code network 192.0.2.0/24} backed by a static route, a
 * neighbor description and {@code route-map operator-x}. With {@code -Drhid.it.keep=DIR} each test's
 * rhid log, frr.conf and bgpd log are copied to {@code DIR/NAMESPACE/} (the work dir is deleted).
 */
@Tag("integration")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FrrIT {

    /** Skips the class where the lab cannot run, closes labs after each test, reports on failure. */
    @RegisterExtension
    static final LabExtension LAB = LabExtension.frr();

    static final String V4 = "198.51.100.53/32";
    static final String V6 = "2001:db8::53/128";
    static final String OPERATOR_NETWORK = "192.0.2.0/24";
    static final int SERVICE_PORT = 8080;
    static final Duration INTERVAL = Duration.ofMillis(500);
    static final int RISE = 2;
    static final int FALL = 2;
    static final Duration RECONCILE = Duration.ofSeconds(1);
    /** rhid's debug line for a probe result carries the monotonic time (System.nanoTime, shared by processes). */
    static final Pattern FAILED_PROBE = Pattern.compile("(\\S+): \\S+ fail in \\S+ ms: .* \\[mono (-?\\d+)\\]");

    @TempDir
    Path dir;

    NetnsLab lab;
    RhidProcess rhid;


    @AfterEach
    void tearDown() {
        if (rhid != null) {
            rhid.close();
        }
        if (lab != null) {
            String keep = System.getProperty("rhid.it.keep");
            if (keep != null) {
                try {
                    Path to = Path.of(keep, lab.hostNetns());
                    Files.createDirectories(to);
                    for (Path f : List.of(lab.workDir().resolve("rhid.log"), lab.frr().configFile(),
                            lab.frr().dir().resolve("bgpd.log"))) {
                        if (Files.exists(f)) {
                            Files.copy(f, to.resolve(f.getFileName()));
                        }
                    }
                } catch (IOException e) {
                    System.err.println("FrrIT: cannot keep logs: " + e);
                }
            }
        }
    }

    /**
     * A lab with the BGP session up and the operator's own route already at the router (so FRR's
     * one-second coalesce delay of the first UPDATE is behind us), and rhid's config written.
     */
    private Path setUp(String mode, String services, boolean removeWhenDown) throws IOException {
        lab = LAB.startWithFrrHost(dir, NetnsLab.frrHostConf());
        lab.waitForSession(Duration.ofSeconds(20));
        lab.awaitRoute(OPERATOR_NETWORK, true, Duration.ofSeconds(10));
        FrrHost frr = lab.frr();
        String yaml = """
                router:
                  daemon: frr
                  frr:
                    asn: 65000
                    mode: %s
                    vtysh_args: [%s]
                    config_file: %s
                    frr_reload_args: [%s]
                  reconcile_interval: %s
                addresses:
                  interface: lo
                  remove_when_down: %s
                state_dir: %s
                control:
                  socket: %s
                defaults:
                  interval: %s
                  timeout: 250ms
                  rise: %d
                  fall: %d
                services:
                %s""".formatted(mode, String.join(", ", frr.vtyshArgs()), frr.configFile(),
                String.join(", ", frr.frrReloadArgs()), "1s", removeWhenDown, lab.workDir().resolve("state"),
                lab.workDir().resolve("control.sock"), "500ms", RISE, FALL, services.indent(2));
        return Files.writeString(lab.workDir().resolve("rhid.yaml"), yaml);
    }

    private static String webService() {
        return """
                web:
                  prefixes: [%s, "%s"]
                  announce:
                    up: { communities: ["65000:100"], large_communities: ["65000:1:2"], med: 100, prepend: 2 }
                  checks:
                    - { type: http, url: "http://127.0.0.1:%d/" }
                """.formatted(V4, V6, SERVICE_PORT);
    }

    private static Duration upWithin() {
        // splay (< interval) + rise results, one interval and fast re-runs apart, + 1 s
        return INTERVAL.multipliedBy(RISE + 1).plusSeconds(1);
    }

    /**
     * The monotonic time of the failed probe that took {@code service} down most recently: the last
     * failure logged before its last {@code up -> down} transition (probes keep failing after it).
     */
    private long lastFailedProbeNanos(String service) {
        String log = rhid.log();
        int transition = log.lastIndexOf(service + ": up -> down");
        assertThat(transition).as("%s: up -> down in rhid's log", service).isNotNegative();
        Matcher m = FAILED_PROBE.matcher(log.substring(0, transition));
        Long last = null;
        while (m.find()) {
            if (m.group(1).endsWith(service)) {
                last = Long.parseLong(m.group(2));
            }
        }
        assertThat(last).as("a failed probe of %s in rhid's log", service).isNotNull();
        return last;
    }

    /** The file with rhid's block (markers included) cut out: what must never change. */
    private static String outsideBlock(String text) {
        return text.replaceAll("(?s)! rhid begin\n.*?! rhid end\n", "");
    }

    @Test
    void counts_the_neighbours_bgpd_advertises_each_prefix_to_and_zero_once_its_family_has_no_session() throws Exception {
        Path config = setUp("vtysh", webService(), false);
        lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));
        lab.awaitRoute(V6, true, Duration.ofSeconds(3));
        ExportedGauge.assertMatchesTheRoutersRib(lab, rhid, java.util.Map.of(V4, 1, V6, 1));
        assertThat(ExportedGauge.status(lab).output()).contains("198.51.100.53/32 (1), 2001:db8::53/128 (1)")
                .contains("exports: 1 established BGP session (10.255.0.2)");

        // The operator stops IPv6 on the only session: bgpd resets it and brings it back with IPv4 alone.
        lab.frr().configure("router bgp 65000", "address-family ipv6 unicast", "no neighbor 10.255.0.2 activate");
        lab.awaitRoute(V6, false, Duration.ofSeconds(10));
        lab.waitForSession(Duration.ofSeconds(20));
        lab.awaitRoute(V4, true, Duration.ofSeconds(10));
        ExportedGauge.assertMatchesTheRoutersRib(lab, rhid, java.util.Map.of(V4, 1, V6, 0));
        assertThat(ExportedGauge.status(lab).output()).contains("2001:db8::53/128: announced, exported to no established session");
        rhid.awaitLog("exports: announced, exported to no established session \\(established: 10\\.255\\.0\\.2\\): "
                + "2001:db8::53/128", Duration.ofSeconds(5));
        rhid.assertAlive();
    }

    /** Scenarios 1, 2, 5 and 6 of issue 4, in both modes. */
    @ParameterizedTest(name = "mode {0}")
    @ValueSource(strings = {"vtysh", "reload"})
    void announces_with_the_state_attributes_follows_the_service_and_withdraws_everything_on_sigterm_leaving_operator_lines(
            String mode) throws Exception {
        Path config = setUp(mode, webService(), true);
        FrrHost frr = lab.frr();
        Process service = lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);

        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));
        lab.awaitRoute(V6, true, Duration.ofSeconds(2));
        NetnsLab.RouterRoute v4 = lab.routerRouteDetails(V4).orElseThrow();
        assertThat(v4.med()).hasValue(100);
        assertThat(v4.communities()).containsExactly("65000:100");
        assertThat(v4.largeCommunities()).containsExactly("65000:1:2");
        assertThat(v4.asPathText()).isEqualTo("65000 65000 65000");
        NetnsLab.RouterRoute v6 = lab.routerRouteDetails(V6).orElseThrow();
        assertThat(v6.med()).hasValue(100);
        assertThat(v6.communities()).containsExactly("65000:100");
        assertThat(frr.runningConfig()).contains("network 198.51.100.53/32 route-map rhid-web-up",
                "network 2001:db8::53/128 route-map rhid-web-up", "route-map rhid-web-up permit 10");

        // The operator changes FRR by hand while rhid runs (in reload mode, the file outside the block
        // first, so that no reload in between reverts the running config).
        String file = Files.readString(frr.configFile());
        if (mode.equals("reload")) {
            assertThat(file).contains("! rhid begin\n", "  network 198.51.100.53/32 route-map rhid-web-up\n", "! rhid end\n");
            file = file.replace("route-map operator-x permit 10\n", "route-map operator-y permit 20\nexit\n!\n"
                    + "route-map operator-x permit 10\n").replace(" neighbor 10.255.0.2 description router\n",
                    " neighbor 10.255.0.2 description uplink via vtysh\n");
            Files.writeString(frr.configFile(), file);
        }
        frr.configure("route-map operator-y permit 20", "exit", "router bgp 65000",
                "neighbor 10.255.0.2 description uplink via vtysh");
        String outside = outsideBlock(file);

        List<Long> downMillis = new ArrayList<>();
        // Two cycles: with the start that is five state changes, under the default flap damping (six a minute).
        for (int cycle = 0; cycle < 2; cycle++) {
            long killed = System.nanoTime();
            NetnsLab.terminate(service, Duration.ofSeconds(2));
            lab.awaitRoute(V4, false, INTERVAL.multipliedBy(FALL).plusSeconds(1), killed);
            long gone = System.nanoTime();
            lab.awaitRoute(V6, false, Duration.ofSeconds(1));
            rhid.awaitLog("web: up -> down", Duration.ofSeconds(2));
            long detected = lastFailedProbeNanos("web");
            downMillis.add((gone - detected) / 1_000_000);
            System.out.printf("FrrIT: mode %s: last failed probe -> route gone at the router in %d ms "
                    + "(service killed -> gone %d ms)%n", mode, (gone - detected) / 1_000_000, (gone - killed) / 1_000_000);

            long restarted = System.nanoTime();
            service = lab.startToyHttpService(SERVICE_PORT);
            Duration back = lab.awaitRoute(V4, true, INTERVAL.multipliedBy(RISE).plusSeconds(1), restarted);
            lab.awaitRoute(V6, true, Duration.ofSeconds(1));
            System.out.printf("FrrIT: mode %s: service back -> route back at the router in %d ms%n", mode, back.toMillis());
            assertThat(lab.routerRouteDetails(V4).orElseThrow().med()).hasValue(100);

            String running = frr.runningConfig();
            assertThat(running).contains("route-map operator-y permit 20", "neighbor 10.255.0.2 description uplink via vtysh",
                    "route-map operator-x permit 10", " network 192.0.2.0/24\n");
            assertThat(lab.routerKernelRoutes()).contains(OPERATOR_NETWORK);
            if (mode.equals("reload")) {
                assertThat(outsideBlock(Files.readString(frr.configFile()))).isEqualTo(outside);
            }
        }
        downMillis.sort(null);
        System.out.printf("FrrIT: mode %s: last failed probe -> route gone, median of %d: %d ms%n", mode, downMillis.size(),
                (downMillis.get((downMillis.size() - 1) / 2) + downMillis.get(downMillis.size() / 2)) / 2);
        for (long ms : downMillis) {
            assertThat(ms).isLessThan(Patience.of(INTERVAL.multipliedBy(FALL).plusSeconds(1)).toMillis());
        }

        int exit = rhid.stop(Duration.ofSeconds(20));
        assertThat(exit).isZero();
        assertThat(rhid.log()).contains("stopped: everything rhid announced is withdrawn");
        lab.awaitRoute(V4, false, Duration.ofMillis(500));
        lab.awaitRoute(V6, false, Duration.ofMillis(500));
        String running = frr.runningConfig();
        assertThat(running).doesNotContain("rhid");
        assertThat(running).contains("route-map operator-y permit 20", "route-map operator-x permit 10", " network 192.0.2.0/24\n",
                "neighbor 10.255.0.2 description uplink via vtysh");
        assertThat(lab.routerKernelRoutes()).contains(OPERATOR_NETWORK);
        String addresses = lab.runInHost(Duration.ofSeconds(5), "ip", "address", "show", "dev", "lo").output();
        assertThat(addresses).doesNotContain("198.51.100.53").doesNotContain("2001:db8::53");
        if (mode.equals("reload")) {
            String after = Files.readString(frr.configFile());
            assertThat(outsideBlock(after)).isEqualTo(outside);
            assertThat(after).doesNotContain("route-map rhid").doesNotContain("network 198.51.100.53");
            assertThat(rhid.log()).contains("frr: frr-reload.py --reload");
        } else {
            assertThat(Files.readString(frr.configFile())).isEqualTo(NetnsLab.frrHostConf());
        }
    }

    /** Scenario 3: a correlated failure of 1,000 prefixes is one vtysh batch. */
    @Test
    void withdraws_1000_prefixes_of_a_service_at_once_in_one_vtysh_batch() throws Exception {
        List<String> prefixes = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            prefixes.add("198.51.100." + i + "/32");
        }
        for (int i = 0; i < 244; i++) {
            prefixes.add("203.0.113." + i + "/32");
        }
        for (int i = 1; i <= 500; i++) {
            prefixes.add(String.format(Locale.ROOT, "2001:db8:1000::%x/128", i));
        }
        Path maintenance = dir.resolve("maintenance-bulk");
        Path config = setUp("vtysh", """
                bulk:
                  prefixes: [%s]
                  announce:
                    up: { communities: ["65000:100"], med: 100 }
                  checks:
                    - { type: file, path: %s }
                """.formatted(prefixes.stream().map(p -> "\"" + p + "\"").reduce((a, b) -> a + ", " + b).orElseThrow(),
                maintenance), false);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoutes(prefixes, true, upWithin().plusSeconds(10), System.nanoTime());
        rhid.awaitLog("frr: vtysh batch, networks \\+1000 -0", Duration.ofSeconds(2));

        long batchesBefore = rhid.count("frr: vtysh batch");
        Files.createFile(maintenance);
        long created = System.nanoTime();
        // When the kernel announced the last withdrawal, as the router's route events stamped it.
        long gone = created + lab.awaitRoutes(prefixes, false, INTERVAL.multipliedBy(FALL).plusSeconds(3), created).toNanos();
        rhid.awaitLog("bulk: up -> down", Duration.ofSeconds(1));
        long detected = lastFailedProbeNanos("bulk");
        System.out.printf("FrrIT: 1,000-prefix withdrawal: last failed probe -> all gone at the router in %d ms "
                + "(maintenance file -> all gone %d ms)%n", (gone - detected) / 1_000_000, (gone - created) / 1_000_000);
        assertThat(Duration.ofNanos(gone - detected)).isLessThan(Patience.of(Duration.ofSeconds(2)));
        Matcher batch = rhid.awaitLog("frr: vtysh batch, networks \\+0 -1000, route-maps \\+0 ~0 -1: (\\d+) lines in (\\S+) ms",
                Duration.ofSeconds(1));
        System.out.printf("FrrIT: 1,000-prefix withdrawal: one vtysh batch of %s lines took %s ms%n", batch.group(1), batch.group(2));
        assertThat(rhid.count("frr: vtysh batch")).isEqualTo(batchesBefore + 1);
        assertThat(lab.routerKernelRoutes()).contains(OPERATOR_NETWORK);
        rhid.assertAlive();
    }

    /** Scenario 4, and withdraw-all after a crash: rhid repairs what a restarted bgpd lost. */
    @Test
    void restores_its_lines_after_bgpd_restarts_and_withdraw_all_cleans_up_after_a_crash() throws Exception {
        Path config = setUp("vtysh", webService(), false);
        lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));
        rhid.awaitApplied(V4, Duration.ofSeconds(5)); // rhid's apply is done: disturbing bgpd now cannot cut into it

        long restart = System.nanoTime();
        lab.frr().restartBgpd();
        lab.waitForSession(Duration.ofSeconds(20));
        long sessionUp = System.nanoTime();
        Duration restored = lab.awaitRoute(V4, true, RECONCILE.plusSeconds(2), sessionUp);
        lab.awaitRoute(V6, true, Duration.ofSeconds(1));
        System.out.printf("FrrIT: bgpd restarted -> routes restored %d ms after the session came up (%d ms after the restart)%n",
                restored.toMillis(), (System.nanoTime() - restart) / 1_000_000);
        assertThat(lab.routerRouteDetails(V4).orElseThrow().communities()).containsExactly("65000:100");
        rhid.assertAlive();

        // kill -9: nothing withdraws; `rhid withdraw-all` (systemd's ExecStopPost) must, even when
        // the config was broken meanwhile: it uses the state dir's record of the last apply.
        Path state = lab.workDir().resolve("state");
        assertThat(Files.readString(state.resolve("applied.json"))).contains("\"daemon\" : \"frr\"",
                "network " + V4 + " route-map rhid-web-up", String.join("\", \"", lab.frr().vtyshArgs()));
        rhid.process().destroyForcibly();
        rhid.process().waitFor();
        assertThat(lab.routerKernelRoutes()).contains(V4);
        Files.writeString(config, Files.readString(config).replace("services:", "services: [unclosed"));
        NetnsLab.CommandResult w = lab.runInHost(Duration.ofSeconds(30), RhidProcess.launcher().toString(), "withdraw-all",
                "-c", config.toString(), "--state-dir", state.toString());
        assertThat(w.exitCode()).as(w.output()).isZero();
        assertThat(w.output()).contains("rhid withdraw-all: using the record of the last apply, " + state.resolve("applied.json"),
                "rhid withdraw-all: withdrew 2 prefixes from bgpd (removed 2 network lines and 1 route-map)");
        lab.awaitRoute(V4, false, Duration.ofSeconds(1));
        lab.awaitRoute(V6, false, Duration.ofSeconds(1));
        assertThat(lab.frr().runningConfig()).doesNotContain("rhid");
    }
}
