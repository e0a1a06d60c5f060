package io.rhid.agent.bench;

import io.rhid.agent.it.NetnsLab;
import io.rhid.agent.it.RhidProcess;
import io.rhid.agent.it.RouteWatch;
import io.rhid.agent.it.WatchIT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Death to withdrawal with and without watch connections, end to end in the namespace lab with
 * BIRD: a keep-alive HTTP server (python http.server, HTTP/1.1) checked every 2 s (fast_interval
 * 20ms, fall 2) is killed with SIGKILL at random moments, and the time until its route leaves the
 * router's kernel table is measured. With the watch on, rhid's debug log splits that time (its
 * {@code [mono]} stamps share the test's monotonic clock). Not a test: run by
 * examples/bench/run.sh.
 */
@Tag("bench")
class WatchLatencyBench {

    static final int TRIALS = Integer.getInteger("rhid.bench.trials", 20);
    static final Pattern WATCH_SAW = Pattern.compile("watch tcp 127\\.0\\.0\\.1:" + WatchIT.PORT + ": [^\\n]*\\[mono (\\d+)]");

    @TempDir
    Path dir;

    final List<Long> killToWatch = new ArrayList<>();
    final List<Long> watchToConfigure = new ArrayList<>();
    final List<Long> configureToGone = new ArrayList<>();

    @Test
    void death_to_withdrawal_with_and_without_the_watch() throws Exception {
        NetnsLab.assumeAvailable();
        List<Long> on = run(dir.resolve("on"), true);
        List<Long> off = run(dir.resolve("off"), false);
        Stats sOn = Stats.ofNanos(on);
        Stats sOff = Stats.ofNanos(off);
        new BenchReport("watch-latency", "Death to withdrawal, watch connections on and off (" + TRIALS + " kills each)")
                .paragraph("A keep-alive HTTP server (python3 -m http.server --protocol HTTP/1.1) is killed with SIGKILL at a "
                        + "random moment 0.5–2.5 s after its route is back; rhid checks it over HTTP with interval 2s, "
                        + "fast_interval 20ms, fall 2, and applies to BIRD over its socket. Time from the kill to the route's "
                        + "deletion from the router's kernel table (netlink). With the watch, the kernel's FIN on rhid's idle "
                        + "connection runs the check at once; without it, the death waits for the next probe.")
                .table(List.of("watch", "min (ms)", "median (ms)", "p95 (ms)", "max (ms)"), List.of(
                        row("**on** (default): kill -> route gone", sOn),
                        row("off: kill -> route gone", sOff),
                        row("on: kill -> rhid's watch sees the close", Stats.ofNanos(killToWatch)),
                        row("on: close seen -> `configure` starts (probe, fast_interval, second probe, plan)",
                                Stats.ofNanos(watchToConfigure)),
                        row("on: `configure` starts -> route gone at the router", Stats.ofNanos(configureToGone))))
                .paragraph("Each kill, ms: on " + millis(on) + "; off " + millis(off) + ".")
                .write();
    }

    private static List<String> row(String what, Stats s) {
        return BenchReport.row(what, Stats.ms(s.min()), Stats.ms(s.median()), Stats.ms(s.percentile(95)), Stats.ms(s.max()));
    }

    private static List<Long> millis(List<Long> nanos) {
        return nanos.stream().map(n -> n / 1_000_000).toList();
    }

    private List<Long> run(Path workDir, boolean watch) throws Exception {
        Files.createDirectories(workDir);
        List<Long> nanos = new ArrayList<>();
        try (NetnsLab lab = NetnsLab.start(workDir); RouteWatch routes = new RouteWatch(lab.routerNetns())) {
            lab.waitForSession(Duration.ofSeconds(20));
            Path config = WatchIT.writeConfig(lab, "2s", watch);
            Process server = lab.startToyHttpService(WatchIT.PORT, true);
            try (RhidProcess rhid = RhidProcess.start(lab, config)) {
                routes.await(WatchIT.PREFIX, false, Duration.ofSeconds(30));
                Random random = new Random(watch ? 16 : 61);
                for (int i = 0; i < TRIALS; i++) {
                    routes.clear();
                    Thread.sleep(500 + random.nextInt(2000)); // the random moment of death
                    int before = rhid.log().length();
                    long killed = System.nanoTime();
                    server.destroyForcibly();
                    long gone = routes.await(WatchIT.PREFIX, true, Duration.ofSeconds(10));
                    nanos.add(gone - killed);
                    String tail = rhid.log().substring(before);
                    if (watch && gone - killed > 100_000_000L) {
                        // A slow one: show where the time went, for the results' notes.
                        System.out.printf("slow kill %d: %d ms; rhid log from the kill:%n%s%n", i, (gone - killed) / 1_000_000,
                                tail.lines().limit(40).collect(java.util.stream.Collectors.joining("\n")));
                    }
                    long configure = BirdLatencyBench.monoAfter(tail, "web: check http up -> down", "bird: configure starts");
                    if (watch) {
                        configureToGone.add(gone - configure);
                        Matcher m = WATCH_SAW.matcher(tail);
                        if (!m.find()) {
                            throw new AssertionError("no watch event after the kill in:\n" + tail);
                        }
                        long saw = Long.parseLong(m.group(1));
                        killToWatch.add(saw - killed);
                        watchToConfigure.add(configure - saw);
                    }
                    server.waitFor();
                    server = lab.startToyHttpService(WatchIT.PORT, true);
                    routes.await(WatchIT.PREFIX, false, Duration.ofSeconds(15));
                }
                rhid.stop(Duration.ofSeconds(20));
            } finally {
                NetnsLab.terminate(server, Duration.ofSeconds(3));
            }
        }
        return nanos;
    }
}
