package io.rhid.agent.bench;

import io.rhid.agent.it.NetnsLab;
import io.rhid.agent.it.RhidProcess;
import io.rhid.agent.it.RouteWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Withdrawal latency with BIRD, end to end in the namespace lab: the service dies, rhid confirms
 * it (interval 200ms, fast_interval 20ms, fall 2) and reconfigures BIRD, and the router's kernel
 * drops the route (seen through netlink). rhid talks to BIRD's control socket, its default. Beside
 * it, the bare daemon: rewrite the file and run birdc configure by hand. Not a test: run by
 * examples/bench/run.sh.
 */
@Tag("bench")
class BirdLatencyBench {

    static final int TRIALS = Integer.getInteger("rhid.bench.trials", 30);
    static final String PREFIX = "198.51.100.53";
    static final Pattern MONO = Pattern.compile("\\[mono (\\d+)]");

    @TempDir
    Path dir;

    @Test
    void withdrawal_latency() throws Exception {
        NetnsLab.assumeAvailable();
        List<Long> killToGone = new ArrayList<>();
        List<Long> probeToGone = new ArrayList<>();
        List<Long> probeToCheck = new ArrayList<>();
        List<Long> probeToConfigure = new ArrayList<>();
        List<Long> configureToGone = new ArrayList<>();
        List<Long> bareWriteAndConfigure = new ArrayList<>();
        List<Long> bareConfigure = new ArrayList<>();
        try (NetnsLab lab = NetnsLab.start(dir); RouteWatch watch = new RouteWatch(lab.routerNetns())) {
            lab.waitForSession(Duration.ofSeconds(20));
            Path config = Files.writeString(lab.workDir().resolve("rhid.yaml"), """
                    router:
                      bird: { include_file: %s, socket: %s }
                    state_dir: %s
                    control: { socket: %s }
                    flap: { max_changes: 0 }     # each trial is two state changes
                    services:
                      web:
                        prefixes: [%s/32]
                        interval: 200ms
                        fast_interval: 20ms
                        timeout: 100ms
                        rise: 2
                        fall: 2
                        checks:
                          - { type: http, url: "http://127.0.0.1:8080/" }
                    """.formatted(lab.includeFile(), lab.hostBirdSocket(), lab.workDir().resolve("state"),
                    lab.workDir().resolve("control.sock"), PREFIX));
            Process service = lab.startToyHttpService(8080);
            try (RhidProcess rhid = RhidProcess.start(lab, config)) {
                watch.await(PREFIX, false, Duration.ofSeconds(30));
                for (int i = 0; i < TRIALS; i++) {
                    watch.clear();
                    Thread.sleep(100 + (i * 37) % 200); // land at varied points of the check's interval
                    int before = rhid.log().length();
                    long killed = System.nanoTime();
                    service.destroyForcibly();
                    long gone = watch.await(PREFIX, true, Duration.ofSeconds(5));
                    String tail = rhid.log().substring(before);
                    long probe = monoBefore(tail, "web: check http up -> down");
                    long check = monoAfter(tail, "web: check http up -> down", "configure check starts");
                    long configure = monoAfter(tail, "web: check http up -> down", "bird: configure starts");
                    killToGone.add(gone - killed);
                    probeToGone.add(gone - probe);
                    probeToCheck.add(check - probe);
                    probeToConfigure.add(configure - probe);
                    configureToGone.add(gone - configure);
                    service = lab.startToyHttpService(8080);
                    watch.await(PREFIX, false, Duration.ofSeconds(5));
                }
                rhid.stop(Duration.ofSeconds(20));
            }
            String announce = NetnsLab.template("rhid-announce-53.conf");
            String empty = NetnsLab.emptyIncludeFile();
            for (int i = 0; i < TRIALS; i++) {
                watch.clear();
                Files.writeString(lab.includeFile(), announce);
                lab.hostBirdc("configure");
                watch.await(PREFIX, false, Duration.ofSeconds(5));
                Thread.sleep(50);
                watch.clear();
                long start = System.nanoTime();
                Files.writeString(lab.includeFile(), empty);
                long commandStart = System.nanoTime();
                lab.hostBirdc("configure");
                long gone = watch.await(PREFIX, true, Duration.ofSeconds(5));
                bareWriteAndConfigure.add(gone - start);
                bareConfigure.add(gone - commandStart);
            }
        }
        Stats e2e = Stats.ofNanos(probeToGone);
        Stats bare = Stats.ofNanos(bareWriteAndConfigure);
        new BenchReport("bird-latency", "Withdrawal latency with BIRD 2 (" + TRIALS + " trials each)")
                .paragraph("The service is killed (SIGKILL); rhid checks it over HTTP every 200ms, re-runs after 20ms while "
                        + "confirming, fall 2. Times are measured on one monotonic clock: rhid logs when its last failing probe "
                        + "finished and when it starts each command to BIRD (over BIRD's control socket, as birdc would); the "
                        + "router's kernel events come from a netlink route listener in the router namespace.")
                .table(List.of("path", "p50 / p95 / max (ms)", "min (ms)"), List.of(
                        BenchReport.row("service killed -> route gone at the router (detection + apply)",
                                Stats.ofNanos(killToGone).summary(), Stats.ms(Stats.ofNanos(killToGone).min())),
                        BenchReport.row("**rhid: last failing probe done -> route gone at the router**", e2e.summary(),
                                Stats.ms(e2e.min())),
                        BenchReport.row("rhid: last failing probe done -> `configure check` starts",
                                Stats.ofNanos(probeToCheck).summary(), Stats.ms(Stats.ofNanos(probeToCheck).min())),
                        BenchReport.row("rhid: last failing probe done -> `configure` starts",
                                Stats.ofNanos(probeToConfigure).summary(), Stats.ms(Stats.ofNanos(probeToConfigure).min())),
                        BenchReport.row("rhid: `configure` starts -> route gone at the router",
                                Stats.ofNanos(configureToGone).summary(), Stats.ms(Stats.ofNanos(configureToGone).min())),
                        BenchReport.row("**bare: rewrite the include file + `birdc configure` -> route gone**", bare.summary(),
                                Stats.ms(bare.min())),
                        BenchReport.row("bare: `birdc configure` alone -> route gone", Stats.ofNanos(bareConfigure).summary(),
                                Stats.ms(Stats.ofNanos(bareConfigure).min()))))
                .paragraph(String.format(java.util.Locale.ROOT,
                        "rhid's apply path (last probe -> route gone) vs the bare daemon command: median %s ms vs %s ms, "
                                + "ratio %.2f, overhead %s ms.", Stats.ms(e2e.median()), Stats.ms(bare.median()),
                        e2e.median() / bare.median(), Stats.ms(e2e.median() - bare.median())))
                .write();
    }

    /** The mono stamp on the last line before {@code marker} that carries one. */
    static long monoBefore(String log, String marker) {
        int at = log.indexOf(marker);
        String before = log.substring(0, at);
        Matcher m = MONO.matcher(before);
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        if (last < 0) {
            throw new AssertionError("no [mono] stamp before '" + marker + "' in:\n" + log);
        }
        return last;
    }

    /** The mono stamp of the first line containing {@code line} after {@code marker}. */
    static long monoAfter(String log, String marker, String line) {
        int at = log.indexOf(line, log.indexOf(marker));
        if (at < 0) {
            throw new AssertionError("no '" + line + "' after '" + marker + "' in:\n" + log);
        }
        Matcher m = MONO.matcher(log.substring(at));
        if (!m.find()) {
            throw new AssertionError("no [mono] stamp on '" + line + "'");
        }
        return Long.parseLong(m.group(1));
    }
}
