package io.rhid.agent.bench;

import io.rhid.agent.it.NetnsLab;
import io.rhid.agent.it.RhidProcess;
import io.rhid.agent.it.RouteWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle rhid with 10 services (TCP checks every 2 s): start-up time to the first probe and to
 * the first announcement at the router, then RSS, heap, threads and CPU per minute.
 */
@Tag("bench")
class FootprintBench {

    static final int SECONDS = Integer.getInteger("rhid.bench.seconds", 60);
    @TempDir
    Path dir;

    @Test
    void idle_footprint_with_ten_services() throws Exception {
        NetnsLab.assumeAvailable();
        try (NetnsLab lab = NetnsLab.start(dir); RouteWatch watch = new RouteWatch(lab.routerNetns())) {
            lab.waitForSession(Duration.ofSeconds(20));
            StringBuilder services = new StringBuilder();
            for (int i = 1; i <= 10; i++) {
                services.append("""
                          svc%02d:
                            prefixes: [198.51.100.%d/32]
                            checks:
                              - { type: tcp, address: "127.0.0.1:8080" }
                        """.formatted(i, i));
            }
            Path config = Files.writeString(lab.workDir().resolve("rhid.yaml"), """
                    router:
                      bird: { include_file: %s, socket: %s }
                    state_dir: %s
                    control: { socket: %s }
                    defaults: { rise: 1 }
                    services:
                    %s""".formatted(lab.includeFile(), lab.hostBirdSocket(), lab.workDir().resolve("state"),
                    lab.workDir().resolve("control.sock"), services));
            lab.startToyHttpService(8080);
            long launched = System.nanoTime();
            try (RhidProcess rhid = RhidProcess.start(lab, config)) {
                long firstRoute = Long.MAX_VALUE;
                for (int i = 1; i <= 10; i++) {
                    firstRoute = Math.min(firstRoute, watch.await("198.51.100." + i, false, Duration.ofSeconds(30)));
                }
                Matcher m = rhid.awaitLog("svc\\d+: tcp (pass|fail) in .*\\[mono (\\d+)]", Duration.ofSeconds(5));
                long firstProbe = Long.parseLong(m.group(2));
                Matcher ready = rhid.awaitLog("apply starts \\[mono (\\d+)]", Duration.ofSeconds(5));
                long firstApply = Long.parseLong(ready.group(1));
                Thread.sleep(10_000);
                ProcStats before = ProcStats.of(rhid.pid());
                Thread.sleep(SECONDS * 1000L);
                ProcStats after = ProcStats.of(rhid.pid());
                String heap = lab.runInHost(Duration.ofSeconds(20), Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(rhid.pid()), "GC.heap_info").output();
                double cpuSecondsPerMinute = (after.cpuTicks() - before.cpuTicks()) / (double) ProcStats.TICKS_PER_SECOND
                        / ((after.sampledNanos() - before.sampledNanos()) / 60e9);
                new BenchReport("footprint", "Footprint: an idle rhid with 10 services")
                        .paragraph("10 services with one TCP check each (interval 2s, the default), rise 1, started with the "
                                + "launcher's default JVM flags (SerialGC, -Xmx96m, C1 only, class-data sharing).")
                        .table(List.of("measure", "value"), List.of(
                                BenchReport.row("launch -> config loaded, probes scheduled, first apply starts",
                                        Stats.ms((firstApply - launched) / 1e6) + " ms"),
                                BenchReport.row("launch -> first probe result (its start is splayed randomly within one "
                                        + "2 s interval)", Stats.ms((firstProbe - launched) / 1e6) + " ms"),
                                BenchReport.row("launch -> first route at the router (first runs are splayed over one "
                                        + "interval)", Stats.ms((firstRoute - launched) / 1e6) + " ms"),
                                BenchReport.row("RSS", String.format(Locale.ROOT, "%.0f MB", after.rssMb())),
                                BenchReport.row("heap (jcmd GC.heap_info)", heapSummary(heap)),
                                BenchReport.row("threads", Integer.toString(after.threads())),
                                BenchReport.row("CPU", String.format(Locale.ROOT, "%.2f s per minute (%.2f %% of one core)",
                                        cpuSecondsPerMinute, after.cpuPercentSince(before)))))
                        .write();
            }
        }
    }

    /** "used X of Y committed" from the young and old generations jcmd lists. */
    static String heapSummary(String jcmd) {
        Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(jcmd);
        long total = 0;
        long used = 0;
        while (m.find()) {
            total += Long.parseLong(m.group(1));
            used += Long.parseLong(m.group(2));
        }
        return total == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MB used of %.1f MB committed", used / 1024.0, total / 1024.0);
    }
}
