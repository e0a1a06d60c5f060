package io.rhid.agent.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rhid.agent.it.NetnsLab;
import io.rhid.agent.it.RhidProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A minute of ten services flapping every 200 ms against a real BIRD: how many applies flap
 * damping lets through (the bound it promises, and the busiest second), and whether rhid's RSS
 * and threads stay flat. A soak measurement, so not part of {@code mvn verify} (it was in
 * FaultsIT); run by examples/bench/run.sh FlapSoakBench. Single-threaded, like the other benches.
 */
@Tag("bench")
class FlapSoakBench {

    static final int SERVICES = 10;
    static final int MAX_CHANGES = 6;
    static final int STATUS_PORT = 9794;
    /** A hold longer than the run: every service is held once and still held at the end. */
    static final Duration HOLD = Duration.ofSeconds(120);
    static final Duration RUN = Duration.ofSeconds(60);
    static final long TOGGLE_NANOS = 200_000_000L;

    @TempDir
    Path dir;

    @Test
    void damps_ten_services_flapping_every_200ms_for_a_minute() throws Exception {
        NetnsLab.assumeAvailable();
        try (NetnsLab lab = NetnsLab.start(dir)) {
            lab.waitForSession(Duration.ofSeconds(20));
            StringBuilder services = new StringBuilder();
            for (int i = 0; i < SERVICES; i++) {
                services.append("""
                        f%d:
                          prefixes: [%s]
                          checks:
                            - { type: file, path: %s }
                        """.formatted(i, prefix(i), maintenance(lab, i)));
            }
            Path config = Files.writeString(lab.workDir().resolve("rhid.yaml"), """
                    router:
                      bird: { include_file: %s, socket: %s }
                      reconcile_interval: 5s
                    state_dir: %s
                    control: { socket: %s }
                    status: { listen: "127.0.0.1:%d" }
                    defaults: { interval: 100ms, fast_interval: 0ms, timeout: 50ms, rise: 1, fall: 1 }
                    flap: { max_changes: %d, window: 1m, hold: %ds }
                    services:
                    %s""".formatted(lab.includeFile(), lab.hostBirdSocket(), lab.workDir().resolve("state"),
                    lab.workDir().resolve("control.sock"), STATUS_PORT, MAX_CHANGES, HOLD.toSeconds(),
                    services.toString().indent(2)));
            try (RhidProcess rhid = RhidProcess.start(lab, config)) {
                run(lab, rhid);
            }
        }
    }

    private void run(NetnsLab lab, RhidProcess rhid) throws Exception {
        long pid = rhid.pid();
        for (int i = 0; i < SERVICES; i++) {
            lab.awaitRoute(prefix(i), true, Duration.ofSeconds(5));
        }
        long applied0 = rhid.count("bird: applied");
        long start = System.nanoTime();
        ProcStats at10 = null;
        int toggles = 0;
        int steps = (int) (RUN.toNanos() / TOGGLE_NANOS);
        for (int k = 0; k < steps; k++) {
            long wait = start + k * TOGGLE_NANOS - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // a fixed-rate load generator, not a wait for an event
            }
            for (int i = 0; i < SERVICES; i++) {
                Path f = maintenance(lab, i);
                if (k % 2 == 0) {
                    Files.createFile(f);
                } else {
                    Files.delete(f);
                }
                toggles++;
            }
            if (k == steps / 6) { // 10 s in
                at10 = ProcStats.of(pid);
            }
        }
        ProcStats atEnd = ProcStats.of(pid);
        Duration toggled = Duration.ofNanos(System.nanoTime() - start);

        List<String> appliedLines = rhid.log().lines().filter(l -> l.contains("bird: applied")).skip(applied0).toList();
        Map<String, Integer> perSecond = new TreeMap<>();
        for (String l : appliedLines) {
            perSecond.merge(l.substring(0, 19), 1, Integer::sum);
        }
        int max = perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        double mean = appliedLines.size() / (double) toggled.toSeconds();
        long holds = rhid.count("held withdrawn for .* \\(flap damping\\)");
        long holdsEnded = rhid.count("flap damping hold ended");
        String metrics = get(lab, "/metrics");
        long holdsMetric = sumOf(metrics, "rhid_flap_holds_total");
        System.out.printf("FlapSoakBench: %d services flapping every 200 ms for %d s (%d file changes) -> %d applies: "
                + "max %d/s, mean %.2f/s; %d flap holds logged (rhid_flap_holds_total %d), %d ended; RSS %d KiB at "
                + "10 s, %d KiB at the end; threads %d -> %d%n", SERVICES, toggled.toSeconds(), toggles,
                appliedLines.size(), max, mean, holds, holdsMetric, holdsEnded, at10.rssKb(), atEnd.rssKb(),
                at10.threads(), atEnd.threads());

        // Flap damping lets at most max_changes + 1 state changes per service through before holding
        // it withdrawn for `hold`, so in the run each service gets at most run / hold + 1 bursts of
        // max_changes + 1 changes; changes that arrive together are applied as one reconfigure.
        long bursts = RUN.toSeconds() / HOLD.toSeconds() + 1;
        assertThat((long) appliedLines.size()).as("applies in the run")
                .isLessThanOrEqualTo(SERVICES * (MAX_CHANGES + 1) * bursts);
        // A toggle every 200 ms, seen within a 100 ms interval: at most 6 changes of one service a second.
        assertThat(max).as("applies in the busiest second").isLessThanOrEqualTo(SERVICES * 6);
        assertThat(holds).isGreaterThanOrEqualTo(SERVICES);
        assertThat(holdsMetric).isEqualTo(holds);
        assertThat(atEnd.rssKb()).as("RSS at the end vs 10 s in (KiB)").isLessThan(at10.rssKb() + 48 * 1024);
        assertThat(atEnd.threads()).isLessThanOrEqualTo(at10.threads() + 3);

        JsonNode status = new ObjectMapper().readTree(get(lab, "/status"));
        int held = 0;
        for (JsonNode s : status.path("services")) {
            if (s.path("reason").asText().contains("flap damping")) {
                held++;
                assertThat(s.path("state").asText()).isEqualTo("down");
                String name = s.path("name").asText();
                assertThat(lab.routerKernelRoutes()).doesNotContain(prefix(Integer.parseInt(name.substring(1))));
            }
        }
        assertThat(held).as("services held at the end").isPositive();
        rhid.assertAlive();
    }

    private static String prefix(int i) {
        return "198.51.100." + (100 + i) + "/32";
    }

    private static Path maintenance(NetnsLab lab, int i) {
        return lab.workDir().resolve("maintenance-f" + i);
    }

    private static String get(NetnsLab lab, String path) {
        NetnsLab.CommandResult r = lab.httpGetInHost("http://127.0.0.1:" + STATUS_PORT + path);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("GET " + path + " failed: " + r.output());
        }
        return r.output();
    }

    private static long sumOf(String metrics, String name) {
        long sum = 0;
        for (String line : metrics.lines().toList()) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
