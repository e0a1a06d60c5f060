package io.rhid.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.systemd.FakeSystemd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * rhid run end to end with a real BIRD 2 and a real eBGP peer: every assertion about routes is
 * made on the router's kernel table (or its BIRD's view of the received attributes).
 */
@Tag("integration")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BirdIT {

    /** Skips the class where the lab cannot run, closes labs after each test, reports on failure. */
    @RegisterExtension
    static final LabExtension LAB = LabExtension.bird();

    static final String V4 = "198.51.100.53/32";
    static final String V6 = "2001:db8::53/128";
    static final int SERVICE_PORT = 8080;
    static final Duration INTERVAL = Duration.ofMillis(500);
    static final int RISE = 2;
    static final int FALL = 2;
    static final Duration RECONCILE = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    NetnsLab lab;
    RhidProcess rhid;


    @AfterEach
    void tearDown() {
        if (rhid != null) {
            rhid.close();
        }
    }

    /** A lab with the BGP session up and rhid's config written; rhid talks to BIRD's socket. */
    private Path setUp(String services, boolean removeWhenDown) throws IOException {
        return setUp(services, removeWhenDown, false);
    }

    private Path setUp(String services, boolean removeWhenDown, boolean viaBirdc) throws IOException {
        return setUp(services, removeWhenDown, viaBirdc, NetnsLab.Setup.DEFAULT);
    }

    private Path setUp(String services, boolean removeWhenDown, boolean viaBirdc, NetnsLab.Setup setup) throws IOException {
        lab = LAB.start(dir, setup);
        lab.waitForSession(Duration.ofSeconds(20));
        String birdExtra = viaBirdc ? "\n    birdc: " + lab.birdc() : "";
        String yaml = """
                router:
                  daemon: bird
                  bird:
                    include_file: %s
                    socket: %s
                    asn: 65000%s
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
                %s""".formatted(lab.includeFile(), lab.hostBirdSocket(), birdExtra, "1s", removeWhenDown,
                lab.workDir().resolve("state"), lab.workDir().resolve("control.sock"), "500ms", RISE, FALL,
                services.indent(2));
        return Files.writeString(lab.workDir().resolve("rhid.yaml"), yaml);
    }

    private static String webService() {
        return """
                web:
                  prefixes: [%s, "%s"]
                  announce:
                    up: { communities: ["65000:100"], med: 100, prepend: 2 }
                  checks:
                    - { type: http, url: "http://127.0.0.1:%d/" }
                """.formatted(V4, V6, SERVICE_PORT);
    }

    private static Duration upWithin() {
        // splay (< interval) + rise results, one interval and fast re-runs apart, + 1 s
        return INTERVAL.multipliedBy(RISE + 1).plusSeconds(1);
    }

    @Test
    void announces_a_healthy_service_with_its_up_attributes_after_adding_its_addresses() throws Exception {
        Path config = setUp(webService(), false);
        lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);

        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));
        lab.awaitRoute(V6, true, Duration.ofSeconds(2));

        NetnsLab.RouterRoute v4 = lab.routerRouteDetails(V4).orElseThrow();
        assertThat(v4.med()).hasValue(100);
        assertThat(v4.communities()).contains("65000:100");
        assertThat(v4.asPathText()).isEqualTo("65000 65000 65000");
        NetnsLab.RouterRoute v6 = lab.routerRouteDetails(V6).orElseThrow();
        assertThat(v6.med()).hasValue(100);
        assertThat(v6.communities()).contains("65000:100");

        String addresses = lab.runInHost(Duration.ofSeconds(5), "ip", "address", "show", "dev", "lo").output();
        assertThat(addresses).contains("198.51.100.53/32", "2001:db8::53/128");
        // The address was added before the route was announced: the apply that announced it ran after.
        String log = rhid.log();
        assertThat(log).contains("bird: applied");
        // One IPv4 session carries both families; the lab's link has IPv6 and names the next hop.
        assertExportedMatchesTheRoutersRib(Map.of(V4, 1, V6, 1));
        rhid.assertAlive();
    }

    // ---- what BIRD really exports: rhid_prefix_exported against the router's RIB --------------

    static final String README_BEGIN = "<!-- rhid:bird-snippet begin";
    static final String README_END = "<!-- rhid:bird-snippet end -->";

    /** The README's bird.conf snippet, the text of the code block between its markers. */
    static String readmeBirdSnippet() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int begin = readme.indexOf(README_BEGIN);
        int end = readme.indexOf(README_END);
        assertThat(begin).as("README.md has the BIRD snippet markers").isNotNegative();
        assertThat(end).isGreaterThan(begin);
        String block = readme.substring(begin, end);
        int open = block.indexOf("```\n");
        int close = block.lastIndexOf("```");
        assertThat(open).isNotNegative();
        assertThat(close).isGreaterThan(open);
        return block.substring(open + 4, close);
    }

    /** The default link, with {@code hostConf} after the preamble and the README's router. */
    static NetnsLab.Setup readmeLab(String snippet, boolean ipv6OnTheLink, String routerConf) {
        // The one change: the snippet's include path (under /etc) becomes the test's own file.
        assertThat(java.util.regex.Pattern.compile("(?m)^include \"").matcher(snippet).results().count())
                .as("include lines in:\n" + snippet).isEqualTo(1);
        String hostConf = NetnsLab.template("host-preamble.conf")
                + snippet.replaceFirst("(?m)^include \"[^\"]+\";", "include \"@INCLUDE_FILE@\";");
        assertThat(hostConf).as("the snippet's include line").contains("include \"@INCLUDE_FILE@\";");
        return new NetnsLab.Setup("192.0.2.10/28", "192.0.2.1/28", ipv6OnTheLink ? "2001:db8:ffff::10/64" : null,
                ipv6OnTheLink ? "2001:db8:ffff::1/64" : null, hostConf, routerConf);
    }

    private void assertExportedMatchesTheRoutersRib(Map<String, Integer> expected) throws InterruptedException {
        ExportedGauge.assertMatchesTheRoutersRib(lab, rhid, expected);
    }

    @Test
    void the_readme_bird_snippet_exports_ipv4_and_ipv6_to_a_real_peer() throws Exception {
        NetnsLab.Setup setup = readmeLab(readmeBirdSnippet(), true, NetnsLab.template("router-readme.conf"));
        Path config = setUp(webService(), false, false, setup);
        lab.waitForSession("host6", Duration.ofSeconds(20));
        lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);

        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));
        lab.awaitRoute(V6, true, Duration.ofSeconds(2));
        assertExportedMatchesTheRoutersRib(Map.of(V4, 1, V6, 1));
        assertThat(ExportedGauge.status(lab).output()).contains("198.51.100.53/32 (1), 2001:db8::53/128 (1)")
                .contains("exports: 2 established BGP sessions (upstream4, upstream6)")
                .doesNotContain("exported to no established session");
        rhid.assertAlive();
    }

    @Test
    void counts_no_session_for_ipv6_carried_by_an_ipv4_session_over_a_link_without_ipv6() throws Exception {
        // The snippet the README had before: BIRD lists the IPv6 route under "show route exported"
        // but drops it for its zero next hop, and the router never gets it.
        String oneSession = """
                include "/etc/bird/rhid.conf";

                protocol bgp upstream {
                  local 192.0.2.10 as 65000;
                  neighbor 192.0.2.1 as 65001;
                  ipv4 { import none; export where rhid_export(); };
                  ipv6 { import none; export where rhid_export(); };
                }
                """;
        String router = NetnsLab.template("router-readme.conf");
        router = router.substring(0, router.indexOf("protocol bgp host6"));
        Path config = setUp(webService(), false, false, readmeLab(oneSession, false, router));
        lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);

        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));
        assertExportedMatchesTheRoutersRib(Map.of(V4, 1, V6, 0));
        assertThat(lab.hostBirdc("show", "route", "exported", "upstream").output())
                .as("what BIRD claims: why rhid does not take its word").contains("2001:db8::53/128");
        assertThat(lab.routerKernelRoutes()).doesNotContain(V6);
        assertThat(ExportedGauge.status(lab).output()).contains("198.51.100.53/32 (1), 2001:db8::53/128 (0)")
                .contains("2001:db8::53/128: announced, exported to no established session");
        rhid.awaitLog("exports: announced, exported to no established session \\(established: upstream\\): 2001:db8::53/128",
                Duration.ofSeconds(5));
        rhid.assertAlive();
    }

    @Test
    void withdraws_when_the_service_dies_and_announces_again_when_it_returns() throws Exception {
        Path config = setUp(webService(), false);
        Process service = lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));

        long killed = System.nanoTime();
        NetnsLab.terminate(service, Duration.ofSeconds(2));
        Duration gone = lab.awaitRoute(V4, false, INTERVAL.multipliedBy(FALL).plusSeconds(1), killed);
        lab.awaitRoute(V6, false, Duration.ofSeconds(1));
        System.out.printf("BirdIT: service killed -> route gone at the router in %d ms%n", gone.toMillis());
        rhid.awaitLog("web: up -> down: checks\\[0\\] http http://127\\.0\\.0\\.1:8080/: connect refused \\(2/2 failures\\)",
                Duration.ofSeconds(2));

        long restarted = System.nanoTime();
        lab.startToyHttpService(SERVICE_PORT);
        Duration back = lab.awaitRoute(V4, true, INTERVAL.multipliedBy(RISE).plusSeconds(1), restarted);
        System.out.printf("BirdIT: service back -> route back at the router in %d ms%n", back.toMillis());
        rhid.assertAlive();
    }

    @Test
    void works_through_the_birdc_binary_when_the_config_names_it() throws Exception {
        Path config = setUp(webService(), false, true);
        Process service = lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));
        assertThat(lab.routerRouteDetails(V4).orElseThrow().med()).hasValue(100);
        NetnsLab.terminate(service, Duration.ofSeconds(2));
        lab.awaitRoute(V4, false, INTERVAL.multipliedBy(FALL).plusSeconds(1));
        rhid.assertAlive();
    }

    @Test
    void withdraws_a_shared_prefix_when_one_of_its_services_is_down() throws Exception {
        Path maintenance = dir.resolve("maintenance-b");
        Path config = setUp("""
                a:
                  prefixes: [198.51.100.10/32, 198.51.100.53/32]
                  checks:
                    - { type: http, url: "http://127.0.0.1:%d/" }
                b:
                  prefixes: [198.51.100.53/32, 198.51.100.20/32]
                  checks:
                    - { type: file, path: %s }
                """.formatted(SERVICE_PORT, maintenance), false);
        lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);
        for (String p : new String[] {"198.51.100.10/32", "198.51.100.20/32", V4}) {
            lab.awaitRoute(p, true, upWithin().plusSeconds(2));
        }

        Files.createFile(maintenance);
        lab.awaitRoute(V4, false, INTERVAL.multipliedBy(FALL).plusSeconds(1));
        lab.awaitRoute("198.51.100.20/32", false, Duration.ofSeconds(1));
        assertThat(lab.routerKernelRoutes()).contains("198.51.100.10/32");

        Files.delete(maintenance);
        lab.awaitRoute(V4, true, INTERVAL.multipliedBy(RISE).plusSeconds(1));
        rhid.assertAlive();
    }

    @Test
    void repairs_bird_restarted_with_an_old_include_file() throws Exception {
        Path config = setUp(webService(), false);
        lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));
        rhid.awaitApplied(V4, Duration.ofSeconds(5)); // rhid's apply is done: disturbing BIRD now cannot cut into it

        lab.stopHostBird();
        Files.writeString(lab.includeFile(), NetnsLab.emptyIncludeFile());
        lab.startHostBird();
        lab.waitForSession(Duration.ofSeconds(20));
        long sessionUp = System.nanoTime();
        Duration restored = lab.awaitRoute(V4, true, RECONCILE.plusSeconds(1), sessionUp);
        System.out.printf("BirdIT: BIRD restarted with an old file -> routes restored %d ms after the session came up%n",
                restored.toMillis());
        rhid.awaitLog("drift \\(file\\)", Duration.ofSeconds(1));
        rhid.assertAlive();
    }

    @Test
    void repairs_an_include_file_replaced_by_hand() throws Exception {
        Path config = setUp(webService(), false);
        lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));
        // The route reaches the router at `configure`; on a loaded machine the apply can still fail
        // its verification and retry 250 ms later, which would repair the edit below before any
        // drift check: edit only once the apply has succeeded.
        rhid.awaitApplied(V4, Duration.ofSeconds(5));

        Files.writeString(lab.includeFile(), NetnsLab.emptyIncludeFile());
        assertThat(lab.hostBirdc("configure").output()).contains("Reconfigured");
        lab.awaitRoute(V4, false, Duration.ofSeconds(1));

        long edited = System.nanoTime();
        Duration repaired = lab.awaitRoute(V4, true, RECONCILE.plusSeconds(1), edited);
        System.out.printf("BirdIT: include file replaced by hand -> repaired in %d ms%n", repaired.toMillis());
        assertThat(rhid.log()).contains("drift (file)");
        rhid.assertAlive();
    }

    @Test
    void keeps_the_last_good_routes_and_running_when_bird_refuses_to_reconfigure() throws Exception {
        Path config = setUp(webService(), false);
        Process service = lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));
        rhid.awaitApplied(V4, Duration.ofSeconds(5)); // rhid's apply is done: disturbing BIRD now cannot cut into it
        String goodInclude = Files.readString(lab.includeFile());

        lab.breakHostBirdConf();
        NetnsLab.terminate(service, Duration.ofSeconds(2));
        rhid.awaitLog("bird: apply failed \\(attempt 1\\), keeping the last good state, retrying in 250ms: "
                + "BIRD: configure check failed \\(exit 1\\)", Duration.ofSeconds(3));
        // BIRD kept its old config: the route is still announced, and the file is the last good one.
        assertThat(lab.routerKernelRoutes()).contains(V4);
        assertThat(Files.readString(lab.includeFile())).isEqualTo(goodInclude);
        rhid.awaitLog("apply failed \\(attempt 3\\)", Duration.ofSeconds(5));
        rhid.assertAlive();

        lab.restoreHostBirdConf();
        Duration withdrawn = lab.awaitRoute(V4, false, Duration.ofSeconds(3));
        System.out.printf("BirdIT: bird.conf fixed -> the pending withdrawal applied %d ms later%n", withdrawn.toMillis());
        rhid.assertAlive();
    }

    @Test
    void withdraws_everything_and_removes_its_addresses_on_sigterm() throws Exception {
        Path config = setUp(webService(), true);
        lab.startToyHttpService(SERVICE_PORT);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(V4, true, upWithin().plusSeconds(2));
        lab.awaitRoute(V6, true, Duration.ofSeconds(2));

        int exit = rhid.stop(Duration.ofSeconds(20));
        assertThat(exit).isZero();
        assertThat(rhid.log()).contains("stopped: everything rhid announced is withdrawn");
        // rhid verified BIRD dropped the routes before exiting; the router hears of it within ms.
        lab.awaitRoute(V4, false, Duration.ofMillis(500));
        lab.awaitRoute(V6, false, Duration.ofMillis(500));
        String addresses = lab.runInHost(Duration.ofSeconds(5), "ip", "address", "show", "dev", "lo").output();
        assertThat(addresses).doesNotContain("198.51.100.53").doesNotContain("2001:db8::53");
        assertThat(addresses).contains("127.0.0.1/8");
    }

    @Test
    void tells_systemd_ready_after_the_first_apply_pings_the_watchdog_from_the_loop_and_says_stopping() throws Exception {
        Path config = setUp(webService(), true);
        lab.startToyHttpService(SERVICE_PORT);
        Path socket = lab.workDir().resolve("notify.sock");
        try (FakeSystemd systemd = FakeSystemd.bind(socket)) {
            // As systemd starts a Type=notify unit with WatchdogSec=1s: pings due every 250 ms.
            rhid = RhidProcess.start(lab, config, List.of("NOTIFY_SOCKET=" + socket, "WATCHDOG_USEC=1000000"));

            String ready = systemd.receive(Duration.ofSeconds(30));
            assertThat(ready).as("first message; log:\n%s", rhid.log()).startsWith("READY=1\nSTATUS=1 service: 1 down; ");
            assertThat(rhid.log()).as("READY comes after the startup apply").contains("bird: applied in");

            List<String> messages = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline
                    && (messages.stream().filter(m -> m.contains("WATCHDOG=1")).count() < 4
                        || messages.stream().noneMatch(m -> m.contains("STATUS=1 service: 1 up; last apply ok")))) {
                String m = systemd.receive(Duration.ofSeconds(5));
                assertThat(m).as("a ping at least every 5 s; got %s", messages).isNotNull();
                messages.add(m);
            }
            assertThat(messages).filteredOn(m -> m.contains("WATCHDOG=1")).hasSizeGreaterThanOrEqualTo(4);
            assertThat(messages).anyMatch(m -> m.contains("STATUS=1 service: 1 up; last apply ok"));
            lab.awaitRoute(V4, true, Duration.ofSeconds(5));

            rhid.process().destroy(); // SIGTERM
            String stopping = null;
            for (int i = 0; i < 100 && (stopping == null || !stopping.startsWith("STOPPING=1")); i++) {
                stopping = systemd.receive(Duration.ofSeconds(10)); // pings may still come first
            }
            assertThat(stopping).startsWith("STOPPING=1\n");
            assertThat(rhid.stop(Duration.ofSeconds(20))).isZero();
            lab.awaitRoute(V4, false, Duration.ofSeconds(2));
        }
    }
}
