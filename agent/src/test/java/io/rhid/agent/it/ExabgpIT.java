package io.rhid.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * rhid as ExaBGP 4.2's API process: ExaBGP is the host's speaker, started with the README's
 * {@code process} block, and it starts (and restarts) rhid; every assertion about routes is made
 * on the router's kernel table or its BIRD's view of the received attributes.
 */
@Tag("integration")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ExabgpIT {

    /** Skips the class where the lab cannot run, closes labs after each test, reports on failure. */
    @RegisterExtension
    static final LabExtension LAB = LabExtension.exabgp();

    static final String WEB = "198.51.100.53/32";
    static final String SPARE = "198.51.100.54/32";
    static final int SERVICE_PORT = 8080;
    static final Duration INTERVAL = Duration.ofMillis(500);
    static final int RISE = 2;
    static final int FALL = 2;
    /** ExaBGP's start, its session to the router, rhid's JVM start and rise, on a busy machine. */
    static final Duration START = Duration.ofSeconds(40);
    static final int SAMPLES = 10;
    static final Pattern APPLY_START = Pattern.compile("apply starts \\[mono (\\d+)]");

    @TempDir
    Path dir;

    NetnsLab lab;
    ExabgpHost exabgp;
    RhidProcess birdRhid;


    @AfterEach
    void tearDown() {
        if (exabgp != null) {
            exabgp.close();
        }
        if (birdRhid != null) {
            birdRhid.close();
        }
    }

    private Path config(String services) throws IOException {
        String yaml = """
                router:
                  daemon: exabgp
                  exabgp:
                    asn: %d
                  reconcile_interval: 1s
                addresses:
                  interface: lo
                state_dir: %s
                control:
                  socket: %s
                status:
                  listen: 127.0.0.1:9790
                flap:
                  max_changes: 0                # the timing loops below flap on purpose
                defaults:
                  interval: %s
                  timeout: 250ms
                  rise: %d
                  fall: %d
                services:
                %s""".formatted(NetnsLab.HOST_ASN, dir.resolve("state"), dir.resolve("control.sock"), "500ms", RISE, FALL,
                services.indent(2));
        return Files.writeString(dir.resolve("rhid.yaml"), yaml);
    }

    private static String webService(String extra) {
        return """
                web:
                  prefixes: [%s]
                  announce:
                    up: { communities: ["65000:100"], large_communities: ["65000:1:2"], med: 100, prepend: 2 }
                    draining: { communities: ["65535:0"], med: 900 }
                  drain_hold: 3s
                  checks:
                    - { type: http, url: "http://127.0.0.1:%d/" }
                %s""".formatted(WEB, SERVICE_PORT, extra);
    }

    private void startExabgp(Path config) {
        lab = LAB.startRouterOnly(dir);
        exabgp = new ExabgpHost(lab, config);
        exabgp.start();
    }

    /** Nothing but API commands reached ExaBGP from rhid's stdout. */
    private void assertOnlyCommandsOnStdout() {
        assertThat(exabgp.exabgpLog()).as("ExaBGP's log").doesNotContain("not understood");
    }

    @Test
    void announces_with_every_attribute_drains_with_the_draining_ones_then_withdraws() throws Exception {
        Path config = config(webService(""));
        startExabgp(config);
        lab.startToyHttpService(SERVICE_PORT);

        lab.awaitRoute(WEB, true, START);
        NetnsLab.RouterRoute up = lab.routerRouteDetails(WEB).orElseThrow();
        assertThat(up.med()).hasValue(100);
        assertThat(up.communities()).containsExactly("65000:100");
        assertThat(up.largeCommunities()).containsExactly("65000:1:2");
        assertThat(up.asPathText()).isEqualTo("65000 65000 65000");
        assertThat(lab.runInHost(Duration.ofSeconds(5), "ip", "address", "show", "dev", "lo").output())
                .contains("198.51.100.53/32");

        NetnsLab.CommandResult drain = lab.runInHost(Duration.ofSeconds(30), RhidProcess.launcher().toString(), "drain",
                "-c", config.toString(), "web");
        assertThat(drain.exitCode()).as(drain.output()).isZero();
        long deadline = Patience.deadline(Duration.ofSeconds(5));
        NetnsLab.RouterRoute draining = lab.routerRouteDetails(WEB).orElseThrow();
        while (!draining.communities().contains("65535:0") && System.nanoTime() < deadline) {
            ExabgpHost.pause(20);
            draining = lab.routerRouteDetails(WEB).orElseThrow();
        }
        assertThat(draining.communities()).as(draining.text()).containsExactly("65535:0");
        assertThat(draining.med()).hasValue(900);
        assertThat(draining.asPathText()).isEqualTo("65000");
        long drainStarted = System.nanoTime();
        Duration withdrawn = lab.awaitRoute(WEB, false, Duration.ofSeconds(10), drainStarted);
        System.out.printf("ExabgpIT: drain: draining attributes at the router, withdrawn %d ms later (drain_hold 3s)%n",
                withdrawn.toMillis());

        NetnsLab.CommandResult resume = lab.runInHost(Duration.ofSeconds(30), RhidProcess.launcher().toString(), "resume",
                "-c", config.toString(), "web");
        assertThat(resume.exitCode()).as(resume.output()).isZero();
        lab.awaitRoute(WEB, true, Duration.ofSeconds(10));
        assertThat(lab.routerRouteDetails(WEB).orElseThrow().communities()).containsExactly("65000:100");
        assertThat(exabgp.rhidLog()).contains("exabgp: applied");
        assertOnlyCommandsOnStdout();
    }

    @Test
    void withdraws_on_service_death_and_announces_on_recovery_timed_over_ten_deaths() throws Exception {
        startExabgp(config(webService("")));
        Process service = lab.startToyHttpService(SERVICE_PORT);
        lab.awaitRoute(WEB, true, START);
        List<Long> millis = new ArrayList<>();
        List<Long> applied = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            long killed = System.nanoTime();
            NetnsLab.terminate(service, Duration.ofSeconds(2));
            Duration gone = lab.awaitRoute(WEB, false, INTERVAL.multipliedBy(FALL).plusSeconds(3), killed);
            millis.add(gone.toMillis());
            applied.add(sinceLastApplyStart(exabgp.rhidLog(), killed, killed + gone.toNanos()));
            service = lab.startToyHttpService(SERVICE_PORT);
            lab.awaitRoute(WEB, true, INTERVAL.multipliedBy(RISE).plusSeconds(3));
        }
        System.out.printf("ExabgpIT: service death -> withdrawal at the router (ExaBGP), ms: %s; median %d; "
                + "of which rhid's apply start -> router: %s, median %d%n", millis, median(millis), applied, median(applied));
        assertOnlyCommandsOnStdout();
    }

    /** The same measurement with rhid driving BIRD, for the comparison the README reports. */
    @Test
    void bird_for_comparison_withdraws_on_service_death_timed_over_ten_deaths() throws Exception {
        lab = LAB.start(dir);
        lab.waitForSession(Duration.ofSeconds(20));
        String yaml = """
                router:
                  daemon: bird
                  bird: { include_file: %s, socket: %s, asn: 65000 }
                  reconcile_interval: 1s
                state_dir: %s
                control: { socket: %s }
                flap: { max_changes: 0 }
                defaults: { interval: 500ms, timeout: 250ms, rise: %d, fall: %d }
                services:
                %s""".formatted(lab.includeFile(), lab.hostBirdSocket(), dir.resolve("state"), dir.resolve("control.sock"),
                RISE, FALL, webService("").indent(2));
        Path config = Files.writeString(dir.resolve("rhid-bird.yaml"), yaml);
        Process service = lab.startToyHttpService(SERVICE_PORT);
        birdRhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB, true, START);
        List<Long> millis = new ArrayList<>();
        List<Long> applied = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            long killed = System.nanoTime();
            NetnsLab.terminate(service, Duration.ofSeconds(2));
            Duration gone = lab.awaitRoute(WEB, false, INTERVAL.multipliedBy(FALL).plusSeconds(3), killed);
            millis.add(gone.toMillis());
            applied.add(sinceLastApplyStart(birdRhid.log(), killed, killed + gone.toNanos()));
            service = lab.startToyHttpService(SERVICE_PORT);
            lab.awaitRoute(WEB, true, INTERVAL.multipliedBy(RISE).plusSeconds(3));
        }
        System.out.printf("ExabgpIT: service death -> withdrawal at the router (BIRD), ms: %s; median %d; "
                + "of which rhid's apply start -> router: %s, median %d%n", millis, median(millis), applied, median(applied));
    }

    @Test
    void sigterm_and_kill_9_of_rhid_withdraw_and_exabgp_respawns_it_to_announce_after_rise() throws Exception {
        startExabgp(config(webService("")));
        lab.startToyHttpService(SERVICE_PORT);
        lab.awaitRoute(WEB, true, START);

        long first = exabgp.rhidPid(Duration.ofSeconds(5), -1);
        long termed = System.nanoTime();
        ProcessHandle.of(first).orElseThrow().destroy();
        Duration gone = lab.awaitRoute(WEB, false, Duration.ofSeconds(10), termed);
        exabgp.awaitRhidLog("stopped: everything rhid announced is withdrawn", 1, Duration.ofSeconds(10));
        System.out.printf("ExabgpIT: SIGTERM to rhid -> withdrawal at the router in %d ms%n", gone.toMillis());
        long second = exabgp.rhidPid(Duration.ofSeconds(10), first);
        Duration back = lab.awaitRoute(WEB, true, START, termed);
        System.out.printf("ExabgpIT: ... announced again by the respawned rhid %d ms after the SIGTERM%n", back.toMillis());

        long killed = System.nanoTime();
        ProcessHandle.of(second).orElseThrow().destroyForcibly();
        // ExaBGP keeps a dead process's routes; the rhid it respawns withdraws them on its first apply.
        Duration staleGone = lab.awaitRoute(WEB, false, START, killed);
        System.out.printf("ExabgpIT: kill -9 of rhid -> withdrawal at the router in %d ms (by the respawned rhid)%n",
                staleGone.toMillis());
        long third = exabgp.rhidPid(Duration.ofSeconds(10), second);
        assertThat(third).isNotEqualTo(first);
        lab.awaitRoute(WEB, true, START);
        assertThat(exabgp.process().isAlive()).isTrue();
        assertOnlyCommandsOnStdout();
    }

    @Test
    void sigterm_of_exabgp_withdraws_and_a_restarted_exabgp_announces_only_what_has_risen_again() throws Exception {
        Path maintenance = dir.resolve("maintenance");
        startExabgp(config(webService("") + """
                spare:
                  prefixes: [%s]
                  checks:
                    - { type: file, path: %s }
                """.formatted(SPARE, maintenance)));
        lab.startToyHttpService(SERVICE_PORT);
        lab.awaitRoute(WEB, true, START);
        lab.awaitRoute(SPARE, true, Duration.ofSeconds(5));
        long rhid = exabgp.rhidPid(Duration.ofSeconds(5), -1);

        long termed = System.nanoTime();
        exabgp.stop(Duration.ofSeconds(20));
        Duration gone = lab.awaitRoute(WEB, false, Duration.ofSeconds(10), termed);
        lab.awaitRoute(SPARE, false, Duration.ofSeconds(1));
        System.out.printf("ExabgpIT: SIGTERM to ExaBGP -> withdrawal at the router in %d ms%n", gone.toMillis());
        long deadline = Patience.deadline(Duration.ofSeconds(10));
        while (ProcessHandle.of(rhid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            ExabgpHost.pause(20);
        }
        assertThat(ProcessHandle.of(rhid).map(ProcessHandle::isAlive).orElse(false)).as("rhid outlived ExaBGP").isFalse();

        // While ExaBGP is down the spare service fails; the new rhid must not replay it.
        Files.createFile(maintenance);
        exabgp.start();
        lab.awaitRoute(WEB, true, START);
        assertThat(lab.routerKernelRoutes()).doesNotContain(SPARE);
        Files.delete(maintenance);
        lab.awaitRoute(SPARE, true, INTERVAL.multipliedBy(RISE).plusSeconds(3));
        assertOnlyCommandsOnStdout();
    }

    @Test
    void an_error_answer_is_a_failed_apply_retried_with_backoff_while_rhid_keeps_running() throws Exception {
        Path config = config(webService(""));
        lab = LAB.startRouterOnly(dir);
        exabgp = new ExabgpHost(lab, config, false);
        exabgp.start();
        lab.startToyHttpService(SERVICE_PORT);

        exabgp.awaitRhidLog("exabgp: apply failed \\(attempt 1\\), keeping the last good state, retrying in 250ms: "
                + "ExaBGP answered error to \\d+ of \\d+ commands", 1, START);
        exabgp.awaitRhidLog("exabgp: apply failed \\(attempt 3\\)", 1, Duration.ofSeconds(20));
        lab.waitForSession(Duration.ofSeconds(20));
        NetnsLab.CommandResult status = lab.runInHost(Duration.ofSeconds(30), RhidProcess.launcher().toString(), "status",
                "-c", config.toString(), "--json");
        assertThat(status.output()).contains("ExaBGP answered error");
        assertThat(lab.routerKernelRoutes()).doesNotContain(WEB);
        exabgp.rhidPid(Duration.ofSeconds(1), -1);
        assertOnlyCommandsOnStdout();
    }

    /**
     * Milliseconds from the last apply rhid started after {@code fromNanos} (its debug log line
     * "apply starts [mono N]", N from the same monotonic clock as this JVM's nanoTime) to
     * {@code seenNanos}: the backend's share of a withdrawal, without the detection time.
     */
    static long sinceLastApplyStart(String log, long fromNanos, long seenNanos) {
        Matcher m = APPLY_START.matcher(log);
        long last = -1;
        while (m.find()) {
            long mono = Long.parseLong(m.group(1));
            if (mono >= fromNanos && mono <= seenNanos) {
                last = mono;
            }
        }
        assertThat(last).as("an apply started between the death and the withdrawal").isPositive();
        return (seenNanos - last) / 1_000_000;
    }

    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
