package io.rhid.agent.bench;

import io.rhid.agent.it.NetnsLab;
import io.rhid.agent.it.NginxServer;
import io.rhid.agent.it.Patience;
import io.rhid.agent.it.RhidProcess;
import io.rhid.agent.it.RouteWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One server's death under 50 services, repeated: nginx (one process, keep-alive) checked by 50
 * services over HTTP every 200 ms (fast_interval 20ms, fall 2) is killed with SIGKILL, and the
 * router's kernel route events give the first-to-last spread of the 50 withdrawals while rhid's
 * {@code rhid_router_apply_total} gives the applies it took; nginx is started again and all 50
 * routes awaited back before the next kill. Not a test: run by examples/bench/run.sh.
 */
@Tag("bench")
class CoalesceBench {

    static final int SERVICES = 50;
    static final int KILLS = Integer.getInteger("rhid.bench.kills", 10);
    static final int PORT = 8080;
    static final String STATUS = "127.0.0.1:9791";
    static final Pattern OK_APPLIES = Pattern.compile(
            "^rhid_router_apply_total\\{daemon=\"bird\",result=\"ok\"} (\\S+)$", Pattern.MULTILINE);
    /** How long after the first apply a second one for the same death is looked for. */
    static final Duration LATE_APPLY = Duration.ofMillis(500);

    @TempDir
    Path dir;

    @Test
    void fifty_services_behind_one_server_killed_ten_times() throws Exception {
        NetnsLab.assumeAvailable();
        List<Long> spreads = new ArrayList<>();
        List<Long> lasts = new ArrayList<>();
        List<Long> applies = new ArrayList<>();
        List<Long> returns = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Set<String> prefixes = IntStream.range(0, SERVICES).mapToObj(CoalesceBench::prefix).collect(Collectors.toSet());
        try (NetnsLab lab = NetnsLab.start(dir); RouteWatch routes = new RouteWatch(lab.routerNetns())) {
            lab.waitForSession(Duration.ofSeconds(20));
            Path config = Files.writeString(lab.workDir().resolve("rhid.yaml"), config(lab));
            NginxServer server = new NginxServer(lab, lab.workDir().resolve("nginx"), PORT, "").start();
            try (RhidProcess rhid = RhidProcess.start(lab, config, "--log-level",
                    System.getProperty("rhid.bench.loglevel", "info"))) {
                routes.awaitAll(prefixes, false, Duration.ofSeconds(60));
                Random random = new Random(1016);
                for (int i = 0; i < KILLS; i++) {
                    Thread.sleep(500 + random.nextInt(1000)); // the random moment of death
                    long before = okApplies(lab);
                    int logBefore = rhid.log().length();
                    routes.clear();
                    long killed = System.nanoTime();
                    server.process().destroyForcibly();
                    long last = routes.awaitAll(prefixes, true, Duration.ofSeconds(10));
                    long first = Long.MAX_VALUE;
                    Set<String> seen = new HashSet<>();
                    for (RouteWatch.Event e : routes.events(true)) {
                        if (prefixes.contains(e.destination()) && seen.add(e.destination())) {
                            first = Math.min(first, e.nanos());
                        }
                    }
                    long n = awaitApplies(lab, before) - before;
                    spreads.add(last - first);
                    lasts.add(last - killed);
                    applies.add(n);
                    if (n != 1) {
                        String evidence = rhid.log().substring(logBefore).lines()
                                .filter(l -> l.contains("bird: applied") || l.contains(" -> ") || l.contains("hold"))
                                .limit(120).collect(Collectors.joining("\n"));
                        System.out.printf("kill %d: %d applies; rhid's log from the kill:%n%s%n", i + 1, n, evidence);
                        notes.add("kill " + (i + 1) + ": " + n + " applies");
                    }
                    server.process().waitFor();
                    long restarted = System.nanoTime();
                    server.start();
                    returns.add(routes.awaitAll(prefixes, false, Duration.ofSeconds(60)) - restarted);
                    System.out.printf("kill %d: spread %.1f ms, %d applies, back %d ms after the restart%n", i + 1,
                            (last - first) / 1e6, n, returns.get(i) / 1_000_000);
                }
                String keep = System.getProperty("rhid.bench.keeplog");
                if (keep != null) {
                    Files.writeString(Path.of(keep), rhid.log());
                }
                rhid.stop(Duration.ofSeconds(20));
            } finally {
                server.close();
            }
        }
        Stats s = Stats.ofNanos(spreads);
        Stats gone = Stats.ofNanos(lasts);
        long total = applies.stream().mapToLong(Long::longValue).sum();
        new BenchReport("coalesce", "One server's death under 50 services, " + KILLS + " kills")
                .paragraph("50 services, one HTTP check each of the same nginx (one process: `master_process off`, its "
                        + "default keep-alive), interval 200ms, fast_interval 20ms, timeout 100ms, rise 2, fall 2, watch "
                        + "on (the default), flap damping off. nginx is killed with SIGKILL 0.5–1.5 s after all 50 routes are back, then "
                        + "started again. The spread is between the first and the last of the 50 deletions in the "
                        + "router's kernel table (netlink events); applies are the change in "
                        + "`rhid_router_apply_total{daemon=\"bird\",result=\"ok\"}` from before the kill to 0.5 s after "
                        + "the first apply counted.")
                .table(List.of("measure", "min", "median", "max"), List.of(
                        BenchReport.row("first -> last route gone at the router (ms)", Stats.ms(s.min()),
                                Stats.ms(s.median()), Stats.ms(s.max())),
                        BenchReport.row("server killed -> last route gone (ms)", Stats.ms(gone.min()),
                                Stats.ms(gone.median()), Stats.ms(gone.max())),
                        BenchReport.row("server started again -> all 50 routes back (ms)",
                                Stats.ms(Stats.ofNanos(returns).min()), Stats.ms(Stats.ofNanos(returns).median()),
                                Stats.ms(Stats.ofNanos(returns).max())),
                        BenchReport.row("applies to BIRD per death", Long.toString(min(applies)),
                                Stats.ms(Stats.ofNanos(applies.stream().map(a -> a * 1_000_000).toList()).median()), Long.toString(max(applies)))))
                .paragraph("Each kill: spread ms " + spreads.stream().map(x -> Stats.ms(x / 1e6)).toList()
                        + "; applies " + applies + " (" + total + " for " + KILLS + " deaths)"
                        + (notes.isEmpty() ? "." : "; " + String.join(", ", notes) + "."))
                .write();
    }

    static long min(List<Long> xs) {
        return xs.stream().mapToLong(Long::longValue).min().orElse(0);
    }

    static long max(List<Long> xs) {
        return xs.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    static String prefix(int i) {
        return "198.51.100." + (i + 1);
    }

    static String config(NetnsLab lab) {
        StringBuilder services = new StringBuilder();
        for (int i = 0; i < SERVICES; i++) {
            services.append("""
                    s%d:
                      prefixes: [%s/32]
                      checks:
                        - { type: http, url: "http://127.0.0.1:%d/" }
                    """.formatted(i, prefix(i), PORT).indent(2));
        }
        return """
                router:
                  bird: { include_file: %s, socket: %s }
                state_dir: %s
                control: { socket: %s }
                status: { listen: "%s" }
                defaults: { interval: 200ms, fast_interval: 20ms, timeout: 100ms, rise: 2, fall: 2 }
                # A kill every few seconds is a flap by design: damping would hold the services
                # withdrawn for 2 minutes from the fourth death on, and this measures deaths.
                flap: { max_changes: 0 }
                services:
                %s""".formatted(lab.includeFile(), lab.hostBirdSocket(), lab.workDir().resolve("state"),
                lab.workDir().resolve("control.sock"), STATUS, services);
    }

    static long okApplies(NetnsLab lab) {
        NetnsLab.CommandResult r = lab.runInHost(Duration.ofSeconds(10), "curl", "-sf", "http://" + STATUS + "/metrics");
        if (r.exitCode() != 0) {
            throw new AssertionError("GET /metrics: " + r.output());
        }
        Matcher m = OK_APPLIES.matcher(r.output());
        if (!m.find()) {
            throw new AssertionError("no rhid_router_apply_total{daemon=\"bird\",result=\"ok\"} in /metrics");
        }
        return (long) Double.parseDouble(m.group(1));
    }

    /** The ok-apply count once it passed {@code before}, read again {@link #LATE_APPLY} later. */
    static long awaitApplies(NetnsLab lab, long before) throws InterruptedException {
        long deadline = Patience.deadline(Duration.ofSeconds(5));
        long now = okApplies(lab);
        while (now <= before && System.nanoTime() - deadline < 0) {
            Thread.sleep(20); // polling a counter, bounded by the deadline
            now = okApplies(lab);
        }
        if (now <= before) {
            throw new AssertionError("no apply counted after the routes left");
        }
        Thread.sleep(LATE_APPLY.toMillis()); // a second apply for the same death would come within this
        return okApplies(lab);
    }
}
