package io.rhid.agent.bench;

import io.rhid.agent.it.NetnsLab;
import io.rhid.agent.it.RhidProcess;
import io.rhid.agent.it.RouteWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Withdrawal time with many prefixes, BIRD 2 and FRR (vtysh mode): 1, 100, 1,000 and 10,000
 * prefixes in 1 service or spread over up to 1,000 services; withdraw one service while the
 * others stay, then all at once; beside the bare daemon (BIRD: write the same include file,
 * birdc configure; FRR: the same network lines removed in one vtysh -f batch). Times run from the
 * start of rhid's apply or of the bare command, to the last of the routes leaving the router's
 * kernel table.
 */
@Tag("bench")
class ScaleBench {

    static final Pattern APPLY_STARTS = Pattern.compile("apply starts \\[mono (\\d+)]");

    @TempDir
    Path dir;

    record Row(String daemon, int prefixes, int services, double oneMs, double oneBareMs, double allMs, double allBareMs,
               int others) {
    }

    @Test
    void withdrawal_time_by_number_of_prefixes() throws Exception {
        NetnsLab.assumeAvailable();
        int[] sizes = Arrays.stream(System.getProperty("rhid.bench.sizes", "1,100,1000,10000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        List<Row> rows = new ArrayList<>();
        // The FRR daemons run as the frr user, which must traverse this directory to reach the lab's.
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        for (String daemon : System.getProperty("rhid.bench.daemons", "bird,frr").split(",")) {
            Path work = Files.createDirectories(dir.resolve(daemon));
            try (NetnsLab lab = daemon.equals("frr") ? NetnsLab.startWithFrrHost(work, NetnsLab.frrHostConf())
                    : NetnsLab.start(work); RouteWatch watch = new RouteWatch(lab.routerNetns())) {
                lab.waitForSession(Duration.ofSeconds(20));
                if (daemon.equals("frr")) {
                    lab.awaitRoute("192.0.2.0/24", true, Duration.ofSeconds(10));
                }
                for (int n : sizes) {
                    for (int services : n == 1 ? new int[] {1} : new int[] {1, Math.min(n, 1000)}) {
                        rows.add(run(daemon, lab, watch, n, services));
                    }
                }
            }
        }
        List<List<String>> table = new ArrayList<>();
        for (Row r : rows) {
            table.add(BenchReport.row(r.daemon(), Integer.toString(r.prefixes()), Integer.toString(r.services()),
                    Stats.ms(r.oneMs()) + " (" + r.prefixes() / r.services() + " routes)", Stats.ms(r.oneBareMs()),
                    Integer.toString(r.others()), Stats.ms(r.allMs()), Stats.ms(r.allBareMs())));
        }
        new BenchReport("scale", "Scale: withdrawing with up to 10,000 prefixes (BIRD 2, FRR vtysh mode)")
                .paragraph("Each service has two file checks (its own maintenance file and one shared by all), interval 1s, "
                        + "fast_interval 10ms, rise 1, fall 1, flap damping off. IPv6 /128 prefixes; addresses are managed "
                        + "only for FRR (its import check needs them). For FRR the bare command is the same `no network` "
                        + "lines in one `vtysh -d bgpd -f` batch. "
                        + "rhid: from the start of its apply (render, atomic write with fsync, `configure check`, "
                        + "`configure`) to the last route leaving the router's kernel table; bare: from writing the same "
                        + "include file (no fsync) to the same event, `birdc configure` in between.")
                .table(List.of("daemon", "prefixes", "services", "one service: rhid (ms)", "one service: bare (ms)",
                        "others kept", "all: rhid (ms)", "all: bare (ms)"), table)
                .write();
    }

    private Row run(String daemon, NetnsLab lab, RouteWatch watch, int n, int services) throws Exception {
        Path work = Files.createDirectories(lab.workDir().resolve("scale-" + n + "-" + services));
        Path shared = work.resolve("all-down");
        List<List<String>> prefixesOf = new ArrayList<>();
        StringBuilder yaml = new StringBuilder();
        int per = n / services;
        for (int s = 0; s < services; s++) {
            List<String> mine = new ArrayList<>();
            for (int k = 0; k < per; k++) {
                mine.add("2001:db8:2::" + Integer.toHexString(s * per + k + 1));
            }
            prefixesOf.add(mine);
            yaml.append("  s").append(s).append(":\n    prefixes: [").append(String.join(", ", mine.stream().map(p -> "\"" + p + "/128\"").toList()))
                    .append("]\n    checks:\n      - { type: file, id: own, path: ").append(work.resolve("down-" + s))
                    .append(" }\n      - { type: file, id: all, path: ").append(shared).append(" }\n");
        }
        List<String> all = prefixesOf.stream().flatMap(List::stream).toList();
        String router = daemon.equals("frr")
                ? "router:\n  daemon: frr\n  frr: { asn: 65000, vtysh_args: [" + String.join(", ", lab.frr().vtyshArgs())
                        + "] }\n  reconcile_interval: 1m\n  command_timeout: 1m\naddresses: { manage: true }\n"
                : "router:\n  bird: { include_file: " + lab.includeFile() + ", socket: " + lab.hostBirdSocket()
                        + " }\n  reconcile_interval: 1m\naddresses: { manage: false }\n";
        Path config = Files.writeString(work.resolve("rhid.yaml"), """
                %sstate_dir: %s
                control: { socket: %s }
                status: { listen: "127.0.0.1:9799" }
                flap: { max_changes: 0 }
                defaults: { interval: 1s, fast_interval: 10ms, timeout: 100ms, rise: 1, fall: 1 }
                services:
                %s""".formatted(router, work.resolve("state"), work.resolve("control.sock"), yaml));
        double one;
        double allMs;
        int others;
        try (RhidProcess rhid = RhidProcess.start(lab, config)) {
            watch.clear();
            watch.awaitAll(all, false, Duration.ofSeconds(120));
            Thread.sleep(500);

            watch.clear();
            int before = rhid.log().length();
            Files.createFile(work.resolve("down-0"));
            long gone = watch.awaitAll(prefixesOf.get(0), true, Duration.ofSeconds(30));
            one = (gone - applyStart(rhid, before)) / 1e6;
            if (Boolean.getBoolean("rhid.bench.trace")) {
                System.out.println("ScaleBench " + n + "/" + services + " one-service trace (route gone at mono " + gone + "):\n"
                        + rhid.log().substring(before).lines().filter(l -> l.contains("[mono") && !l.contains(" pass in ")
                        && !l.contains(" fail in ")).collect(java.util.stream.Collectors.joining("\n")));
            }
            Thread.sleep(300);
            others = (int) lab.routerKernelRoutes().stream().filter(r -> r.startsWith("2001:db8:2::")).count();
            Files.delete(work.resolve("down-0"));
            watch.clear();
            watch.awaitAll(prefixesOf.get(0), false, Duration.ofSeconds(30));
            Thread.sleep(500);

            watch.clear();
            before = rhid.log().length();
            Files.createFile(shared);
            gone = watch.awaitAll(all, true, Duration.ofSeconds(60));
            allMs = (gone - applyStart(rhid, before)) / 1e6;
            Files.delete(shared);
            rhid.stop(Duration.ofSeconds(60));
        }
        double oneBare;
        double allBare;
        if (daemon.equals("frr")) {
            oneBare = bareFrr(lab, watch, work, prefixesOf.get(0), all);
            allBare = bareFrr(lab, watch, work, all, all);
        } else {
            // The bare daemon, the same files: all up, then without service 0, then empty.
            String allUp = render(config);
            String withoutFirst = render(config, "--assume", "s0=down");
            String empty = render(config, "--assume", "down");
            oneBare = bare(lab, watch, allUp, withoutFirst, prefixesOf.get(0), all);
            allBare = bare(lab, watch, allUp, empty, all, all);
        }
        return new Row(daemon, n, services, one, oneBare, allMs, allBare, others);
    }

    /** The time rhid started its first apply after {@code offset} in its log. */
    private static long applyStart(RhidProcess rhid, int offset) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            Matcher m = APPLY_STARTS.matcher(rhid.log().substring(offset));
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("rhid logged no apply");
    }

    private static String render(Path config, String... assume) throws Exception {
        List<String> argv = new ArrayList<>(List.of(RhidProcess.launcher().toString(), "render", "-c", config.toString()));
        argv.addAll(List.of(assume));
        Process p = new ProcessBuilder(argv).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("rhid render failed: " + new String(p.getErrorStream().readAllBytes()));
        }
        return out;
    }

    /** Announces {@code all} with plain network lines, then removes {@code leaving} in one vtysh batch. */
    private static double bareFrr(NetnsLab lab, RouteWatch watch, Path work, List<String> leaving, List<String> all)
            throws Exception {
        watch.clear();
        vtyshBatch(lab, work.resolve("bare-add.vtysh"), all, "network ");
        watch.awaitAll(all, false, Duration.ofSeconds(120));
        Thread.sleep(500);
        watch.clear();
        long start = System.nanoTime();
        vtyshBatch(lab, work.resolve("bare-withdraw.vtysh"), leaving, "no network ");
        long gone = watch.awaitAll(leaving, true, Duration.ofSeconds(120));
        List<String> rest = all.stream().filter(p -> !leaving.contains(p)).toList();
        if (!rest.isEmpty()) {
            vtyshBatch(lab, work.resolve("bare-clear.vtysh"), rest, "no network ");
            watch.awaitAll(rest, true, Duration.ofSeconds(120));
        }
        Thread.sleep(500);
        return (gone - start) / 1e6;
    }

    private static void vtyshBatch(NetnsLab lab, Path file, List<String> prefixes, String verb) throws Exception {
        // vtysh -f reads config-file syntax, as rhid's own batches do.
        StringBuilder b = new StringBuilder("router bgp 65000\n address-family ipv6 unicast\n");
        prefixes.forEach(p -> b.append("  ").append(verb).append(p).append("/128\n"));
        b.append(" exit-address-family\nexit\n");
        Files.writeString(file, b.toString());
        List<String> argv = new ArrayList<>(List.of(io.rhid.agent.it.FrrHost.VTYSH.toString()));
        argv.addAll(lab.frr().vtyshArgs());
        argv.addAll(List.of("-d", "bgpd", "-f", file.toString()));
        NetnsLab.CommandResult r = lab.runInHost(Duration.ofSeconds(120), argv.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new AssertionError("vtysh batch failed: " + r.output());
        }
    }

    private static double bare(NetnsLab lab, RouteWatch watch, String from, String to, List<String> leaving, List<String> all)
            throws Exception {
        watch.clear();
        Files.writeString(lab.includeFile(), from);
        lab.hostBirdc("configure");
        watch.awaitAll(all, false, Duration.ofSeconds(120));
        Thread.sleep(500);
        watch.clear();
        long start = System.nanoTime();
        Files.writeString(lab.includeFile(), to);
        lab.hostBirdc("configure");
        long gone = watch.awaitAll(leaving, true, Duration.ofSeconds(60));
        double ms = (gone - start) / 1e6;
        Files.writeString(lab.includeFile(), NetnsLab.emptyIncludeFile());
        lab.hostBirdc("configure");
        watch.clear();
        Thread.sleep(500);
        return ms;
    }
}
