package io.rhid.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operating a running rhid with real BIRD: drain and resume, reloads, status and metrics. Route
 * events at the router are watched through ip monitor, so a withdrawal that should not happen is
 * seen even if it is undone a moment later.
 */
@Tag("integration")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OperateIT {

    /** Skips the class where the lab cannot run, closes labs after each test, reports on failure. */
    @RegisterExtension
    static final LabExtension LAB = LabExtension.bird();

    static final String WEB = "198.51.100.80";
    static final String DNS = "198.51.100.53";

    @TempDir
    Path dir;

    NetnsLab lab;
    RhidProcess rhid;
    RouteWatch watch;
    Path config;


    @AfterEach
    void tearDown() {
        if (rhid != null) {
            rhid.close();
        }
        if (watch != null) {
            watch.close();
        }
    }

    String yaml(String services) {
        return """
                router:
                  bird: { include_file: %s, socket: %s }
                  reconcile_interval: 1s
                state_dir: %s
                control: { socket: %s }
                status: { listen: "127.0.0.1:9791" }
                defaults: { interval: 300ms, timeout: 150ms, rise: 2, fall: 2 }
                services:
                %s""".formatted(lab.includeFile(), lab.hostBirdSocket(), lab.workDir().resolve("state"),
                lab.workDir().resolve("control.sock"), services.indent(2));
    }

    static String web() {
        return """
                web:
                  prefixes: [%s/32]
                  drain_hold: 2s
                  announce:
                    up: { communities: ["65000:100"], med: 100 }
                  checks:
                    - { type: http, url: "http://127.0.0.1:8080/" }
                """.formatted(WEB);
    }

    static String dns() {
        return """
                dns:
                  prefixes: [%s/32]
                  checks:
                    - { type: tcp, address: "127.0.0.1:8080" }
                """.formatted(DNS);
    }

    void start(String services) throws Exception {
        lab = LAB.start(dir);
        lab.waitForSession(Duration.ofSeconds(20));
        watch = new RouteWatch(lab.routerNetns());
        config = Files.writeString(lab.workDir().resolve("rhid.yaml"), yaml(services));
        lab.startToyHttpService(8080);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB + "/32", true, Duration.ofSeconds(10));
    }

    /** Runs the rhid CLI (the launcher under test) in the host namespace. */
    NetnsLab.CommandResult cli(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(RhidProcess.launcher().toString()));
        argv.addAll(List.of(args));
        argv.addAll(List.of("--socket", lab.workDir().resolve("control.sock").toString()));
        return lab.runInHost(Duration.ofSeconds(30), argv.toArray(String[]::new));
    }

    void hangUp() {
        lab.runInHost(Duration.ofSeconds(5), "kill", "-HUP", Long.toString(rhid.pid()));
    }

    @Test
    void drains_with_graceful_shutdown_then_withdraws_and_resumes() throws Exception {
        start(web());
        assertThat(lab.routerRouteDetails(WEB + "/32").orElseThrow().communities()).containsExactly("65000:100");

        NetnsLab.CommandResult drain = cli("drain", "web");
        assertThat(drain.exitCode()).as(drain.output()).isZero();
        assertThat(drain.output()).contains("web: draining (withdrawn after drain_hold 2s)");
        // The drain reply comes after the draining announcement is applied.
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (!lab.routerRouteDetails(WEB + "/32").orElseThrow().communities().contains("65535:0")) {
            assertThat(System.nanoTime()).as("65535:0 at the router within 1 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(lab.routerRouteDetails(WEB + "/32").orElseThrow().communities()).containsExactly("65000:100", "65535:0");

        Duration gone = lab.awaitRoute(WEB + "/32", false, Duration.ofSeconds(4));
        System.out.printf("OperateIT: drained route withdrawn %d ms after the drain reply (drain_hold 2s)%n", gone.toMillis());
        assertThat(gone).isGreaterThan(Duration.ofMillis(1500));
        assertThat(cli("status").output()).contains("drained");

        NetnsLab.CommandResult resume = cli("resume", "web");
        assertThat(resume.exitCode()).as(resume.output()).isZero();
        lab.awaitRoute(WEB + "/32", true, Duration.ofSeconds(2));
        assertThat(lab.routerRouteDetails(WEB + "/32").orElseThrow().communities()).containsExactly("65000:100");
    }

    @Test
    void changes_nothing_at_the_router_on_a_reload_of_an_invalid_file() throws Exception {
        start(web());
        watch.clear();
        Files.writeString(config, yaml(web()).replace("prefixes: [" + WEB + "/32]", "prefixes: [" + WEB + "/24]"));
        hangUp();
        rhid.awaitLog("reload: 1 errors? in .*nothing changed", Duration.ofSeconds(5));
        NetnsLab.CommandResult reload = cli("reload");
        assertThat(reload.exitCode()).isEqualTo(1);
        assertThat(reload.output()).contains("has host bits set");
        Thread.sleep(1500); // a reconcile interval passes too
        assertThat(watch.events(true)).as("no withdrawal at the router").isEmpty();
        assertThat(lab.routerKernelRoutes()).contains(WEB + "/32");
        rhid.assertAlive();
    }

    @Test
    void adds_a_service_on_reload_without_disturbing_the_others() throws Exception {
        start(web());
        watch.clear();
        Files.writeString(config, yaml(web() + dns()));
        hangUp();
        lab.awaitRoute(DNS + "/32", true, Duration.ofSeconds(5));
        assertThat(rhid.log()).contains("reload: reloaded " + config + ": 2 services, added dns; 1 check kept its state, 1 started");
        assertThat(watch.events(true)).as("no withdrawal of any route at the router").isEmpty();
        assertThat(lab.routerKernelRoutes()).contains(WEB + "/32", DNS + "/32");
    }

    @Test
    void shows_status_and_metrics() throws Exception {
        start(web());
        NetnsLab.CommandResult status = cli("status");
        assertThat(status.exitCode()).isZero();
        assertThat(status.output()).containsPattern("web +up .* 1/1 +198\\.51\\.100\\.80/32");
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(cli("status", "--json").output());
        assertThat(json.at("/services/0/name").asText()).isEqualTo("web");
        assertThat(json.at("/services/0/state").asText()).isEqualTo("up");
        assertThat(json.at("/announced/0/prefix").asText()).isEqualTo(WEB + "/32");
        assertThat(json.at("/router/last_result").asText()).isEqualTo("ok");

        NetnsLab.CommandResult metrics = lab.runInHost(Duration.ofSeconds(10), "python3", "-c",
                "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9791/metrics').read().decode())");
        assertThat(metrics.output()).contains("rhid_service_state{service=\"web\",state=\"up\"} 1",
                "rhid_prefix_announced{prefix=\"198.51.100.80/32\"} 1", "rhid_check_up{service=\"web\",check=\"http\"} 1");
    }

    @Test
    void serves_a_zero_series_for_every_counter_before_any_event_and_promtool_accepts_it() throws Exception {
        lab = LAB.start(dir);
        lab.waitForSession(Duration.ofSeconds(20));
        config = Files.writeString(lab.workDir().resolve("rhid.yaml"), yaml(web())); // nothing listens on 8080
        rhid = RhidProcess.start(lab, config);
        rhid.awaitLog("started: 1 service, 1 check", Duration.ofSeconds(10));
        String text = lab.runInHost(Duration.ofSeconds(10), "python3", "-c",
                "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9791/metrics').read().decode(), end='')")
                .output();
        assertThat(text).as("before any transition, flap hold, drift repair or reload").contains(
                "rhid_flap_holds_total{service=\"web\"} 0",
                "rhid_drift_repairs_total{kind=\"address\"} 0",
                "rhid_drift_repairs_total{kind=\"file\"} 0",
                "rhid_drift_repairs_total{kind=\"routes\"} 0",
                "rhid_transitions_total{service=\"web\",from=\"down\",to=\"up\"} 0",
                "rhid_transitions_total{service=\"web\",from=\"up\",to=\"down\"} 0",
                "rhid_config_reload_total{result=\"error\"} 0",
                "rhid_config_reload_total{result=\"ok\"} 0",
                "rhid_router_apply_total{daemon=\"bird\",result=\"error\"} 0",
                "# TYPE rhid_check_duration_seconds histogram",
                "# TYPE process_resident_memory_bytes gauge");
        assertThat(text).containsPattern("(?m)^rhid_start_time_seconds [0-9.]+(E[0-9]+)?$")
                .doesNotContainPattern("(?m)^rhid_start_time_seconds 0$");

        java.nio.file.Path promtool = java.nio.file.Path.of("/usr/bin/promtool");
        if (!Files.isExecutable(promtool)) {
            System.err.println("SKIPPED promtool check metrics: install the Debian package prometheus to lint /metrics");
            return;
        }
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool check metrics:\n%s", out).isZero();
    }
}
