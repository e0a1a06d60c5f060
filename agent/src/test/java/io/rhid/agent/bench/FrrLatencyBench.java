package io.rhid.agent.bench;

import io.rhid.agent.it.FrrHost;
import io.rhid.agent.it.NetnsLab;
import io.rhid.agent.it.RhidProcess;
import io.rhid.agent.it.RouteWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Withdrawal latency with FRR in both modes, end to end in the namespace lab, beside the bare
 * commands: {@code vtysh ... no network P} and {@code frr-reload.py --reload} of frr.conf without
 * the network line. Same clock and method as {@link BirdLatencyBench}.
 */
@Tag("bench")
class FrrLatencyBench {

    static final int TRIALS = Integer.getInteger("rhid.bench.trials", 30);
    static final String PREFIX = "198.51.100.53";

    @TempDir
    Path dir;

    record Result(List<Long> killToGone, List<Long> probeToGone, List<Long> probeToApply, List<Long> bare) {
    }

    @Test
    void withdrawal_latency_in_both_modes() throws Exception {
        NetnsLab.assumeFrrAvailable();
        // The FRR daemons run as the frr user, which must traverse this directory to reach each lab's.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Result vtysh = run("vtysh", dir.resolve("vtysh"));
        Result reload = run("reload", dir.resolve("reload"));
        List<List<String>> rows = new ArrayList<>();
        for (var mode : List.of(List.of("vtysh", vtysh), List.of("reload", reload))) {
            String name = (String) mode.get(0);
            Result r = (Result) mode.get(1);
            rows.add(BenchReport.row(name, "service killed -> route gone at the router", Stats.ofNanos(r.killToGone()).summary()));
            rows.add(BenchReport.row(name, "**rhid: last failing probe done -> route gone**", Stats.ofNanos(r.probeToGone()).summary()));
            rows.add(BenchReport.row(name, "rhid: last failing probe done -> apply starts", Stats.ofNanos(r.probeToApply()).summary()));
            rows.add(BenchReport.row(name, name.equals("vtysh") ? "**bare: `vtysh -c ... -c 'no network P'` -> route gone**"
                    : "**bare: `frr-reload.py --reload` without the line -> route gone**", Stats.ofNanos(r.bare()).summary()));
        }
        double v = Stats.ofNanos(vtysh.probeToGone()).median() / Stats.ofNanos(vtysh.bare()).median();
        double rl = Stats.ofNanos(reload.probeToGone()).median() / Stats.ofNanos(reload.bare()).median();
        new BenchReport("frr-latency", "Withdrawal latency with FRR 8.4 (" + TRIALS + " trials each)")
                .paragraph("As for BIRD: HTTP check every 200ms, fast_interval 20ms, fall 2; the service is killed; times on one "
                        + "monotonic clock. bgpd holds each UPDATE ~50 ms before sending it, in both rhid's and the bare case.")
                .table(List.of("mode", "path", "p50 / p95 / max (ms)"), rows)
                .paragraph(String.format(Locale.ROOT, "rhid vs the bare command, medians: vtysh mode %.2fx (%s vs %s ms), "
                                + "reload mode %.2fx (%s vs %s ms).", v, Stats.ms(Stats.ofNanos(vtysh.probeToGone()).median()),
                        Stats.ms(Stats.ofNanos(vtysh.bare()).median()), rl,
                        Stats.ms(Stats.ofNanos(reload.probeToGone()).median()), Stats.ms(Stats.ofNanos(reload.bare()).median())))
                .write();
    }

    private Result run(String mode, Path work) throws Exception {
        Files.createDirectories(work);
        List<Long> killToGone = new ArrayList<>();
        List<Long> probeToGone = new ArrayList<>();
        List<Long> probeToApply = new ArrayList<>();
        List<Long> bare = new ArrayList<>();
        try (NetnsLab lab = NetnsLab.startWithFrrHost(work, NetnsLab.frrHostConf());
             RouteWatch watch = new RouteWatch(lab.routerNetns())) {
            lab.waitForSession(Duration.ofSeconds(20));
            lab.awaitRoute("192.0.2.0/24", true, Duration.ofSeconds(10)); // FRR's first-UPDATE delay is behind us
            FrrHost frr = lab.frr();
            String original = Files.readString(frr.configFile());
            Path config = Files.writeString(lab.workDir().resolve("rhid.yaml"), """
                    router:
                      daemon: frr
                      frr:
                        asn: 65000
                        mode: %s
                        vtysh_args: [%s]
                        config_file: %s
                        frr_reload_args: [%s]
                    state_dir: %s
                    control: { socket: %s }
                    flap: { max_changes: 0 }
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
                    """.formatted(mode, String.join(", ", frr.vtyshArgs()), frr.configFile(),
                    String.join(", ", frr.frrReloadArgs()), lab.workDir().resolve("state"),
                    lab.workDir().resolve("control.sock"), PREFIX));
            Process service = lab.startToyHttpService(8080);
            int trials = mode.equals("reload") ? Math.max(5, TRIALS / 3) : TRIALS;
            try (RhidProcess rhid = RhidProcess.start(lab, config)) {
                watch.await(PREFIX, false, Duration.ofSeconds(30));
                for (int i = 0; i < trials; i++) {
                    watch.clear();
                    Thread.sleep(100 + (i * 37) % 200);
                    int before = rhid.log().length();
                    long killed = System.nanoTime();
                    service.destroyForcibly();
                    long gone = watch.await(PREFIX, true, Duration.ofSeconds(10));
                    String tail = rhid.log().substring(before);
                    long probe = BirdLatencyBench.monoBefore(tail, "web: check http up -> down");
                    long apply = BirdLatencyBench.monoAfter(tail, "web: check http up -> down", "apply starts");
                    killToGone.add(gone - killed);
                    probeToGone.add(gone - probe);
                    probeToApply.add(apply - probe);
                    service = lab.startToyHttpService(8080);
                    watch.await(PREFIX, false, Duration.ofSeconds(10));
                }
                rhid.stop(Duration.ofSeconds(60));
            }
            // The address stays on lo (remove_when_down is off), so bgpd's import check passes.
            for (int i = 0; i < trials; i++) {
                watch.clear();
                if (mode.equals("vtysh")) {
                    frr.configure("router bgp 65000", "address-family ipv4 unicast", "network " + PREFIX + "/32");
                    watch.await(PREFIX, false, Duration.ofSeconds(10));
                    Thread.sleep(100);
                    watch.clear();
                    long start = System.nanoTime();
                    frr.configure("router bgp 65000", "address-family ipv4 unicast", "no network " + PREFIX + "/32");
                    bare.add(watch.await(PREFIX, true, Duration.ofSeconds(10)) - start);
                } else {
                    Files.writeString(frr.configFile(), original.replace("  network 192.0.2.0/24\n",
                            "  network 192.0.2.0/24\n  network " + PREFIX + "/32\n"));
                    frrReload(lab, frr);
                    watch.await(PREFIX, false, Duration.ofSeconds(10));
                    Thread.sleep(100);
                    watch.clear();
                    long start = System.nanoTime();
                    Files.writeString(frr.configFile(), original);
                    frrReload(lab, frr);
                    bare.add(watch.await(PREFIX, true, Duration.ofSeconds(10)) - start);
                }
            }
        }
        return new Result(killToGone, probeToGone, probeToApply, bare);
    }

    private static void frrReload(NetnsLab lab, FrrHost frr) {
        List<String> argv = new ArrayList<>(List.of("python3", FrrHost.FRR_RELOAD.toString(), "--reload", "--stdout"));
        argv.addAll(frr.frrReloadArgs());
        argv.add(frr.configFile().toString());
        NetnsLab.CommandResult r = lab.runInHost(Duration.ofSeconds(60), argv.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new AssertionError("frr-reload.py failed: " + r.output());
        }
    }
}
