package io.rhid.agent.bench;

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
 * 50 services, one HTTP check each every 200 ms against one local server: rhid's CPU and memory
 * while they run, and how the 50 withdrawals spread when the shared server dies.
 */
@Tag("bench")
class FanoutBench {

    static final int SERVICES = 50;
    static final int SECONDS = Integer.getInteger("rhid.bench.seconds", 60);

    @TempDir
    Path dir;

    @Test
    void fifty_services_behind_one_server() throws Exception {
        NetnsLab.assumeAvailable();
        try (NetnsLab lab = NetnsLab.start(dir); RouteWatch watch = new RouteWatch(lab.routerNetns())) {
            lab.waitForSession(Duration.ofSeconds(20));
            StringBuilder services = new StringBuilder();
            for (int i = 1; i <= SERVICES; i++) {
                services.append("""
                          web%02d:
                            prefixes: [198.51.100.%d/32]
                            checks:
                              - { type: http, url: "http://127.0.0.1:8080/" }
                        """.formatted(i, i));
            }
            Path config = Files.writeString(lab.workDir().resolve("rhid.yaml"), """
                    router:
                      bird: { include_file: %s, socket: %s }
                    state_dir: %s
                    control: { socket: %s }
                    defaults: { interval: 200ms, fast_interval: 20ms, timeout: 100ms, rise: 2, fall: 2 }
                    services:
                    %s""".formatted(lab.includeFile(), lab.hostBirdSocket(), lab.workDir().resolve("state"),
                    lab.workDir().resolve("control.sock"), services));
            Process server = startKeepAliveServer(lab, 8080);
            try (RhidProcess rhid = RhidProcess.start(lab, config, "--log-level", "info")) {
                for (int i = 1; i <= SERVICES; i++) {
                    watch.await("198.51.100." + i, false, Duration.ofSeconds(30));
                }
                Thread.sleep(5_000); // past start-up and JIT warm-up
                ProcStats before = ProcStats.of(rhid.pid());
                Thread.sleep(SECONDS * 1000L);
                ProcStats after = ProcStats.of(rhid.pid());

                watch.clear();
                int appliesBefore = (int) rhid.count("bird: applied");
                long killed = System.nanoTime();
                server.destroyForcibly();
                List<Long> gone = new ArrayList<>();
                try {
                    for (int i = 1; i <= SERVICES; i++) {
                        gone.add(watch.await("198.51.100." + i, true, Duration.ofSeconds(10)) - killed);
                    }
                } catch (AssertionError e) {
                    String log = rhid.log();
                    throw new AssertionError(e.getMessage() + "\nrhid's log (end):\n"
                            + log.substring(Math.max(0, log.length() - 4000)), e);
                }
                Thread.sleep(200);
                int applies = (int) rhid.count("bird: applied") - appliesBefore;
                Stats s = Stats.ofNanos(gone);
                new BenchReport("fanout", "50 services behind one server (HTTP checks every 200 ms)")
                        .paragraph("Each service has one HTTP check of the same local server (python3, HTTP/1.1 keep-alive, "
                                + "so rhid's connection pool reuses connections), interval 200ms, fast_interval 20ms, "
                                + "timeout 100ms, rise 2, fall 2, with the launcher's default JVM flags.")
                        .table(List.of("measure", "value"), List.of(
                                BenchReport.row("rhid CPU over " + SECONDS + " s (percent of one core)",
                                        String.format(Locale.ROOT, "%.1f %%", after.cpuPercentSince(before))),
                                BenchReport.row("rhid RSS / threads", String.format(Locale.ROOT, "%.0f MB / %d",
                                        after.rssMb(), after.threads())),
                                BenchReport.row("server killed -> first route gone at the router", Stats.ms(s.min()) + " ms"),
                                BenchReport.row("server killed -> last (50th) route gone", Stats.ms(s.max()) + " ms"),
                                BenchReport.row("first -> last route gone", Stats.ms(s.max() - s.min()) + " ms"),
                                BenchReport.row("applies to BIRD for the 50 withdrawals", Integer.toString(applies))))
                        .write();
            }
        }
    }

    /**
     * A minimal HTTP/1.1 server answering 200 "ok" with keep-alive, in the host namespace. The
     * python http.server module speaks HTTP/1.0 (a connection and a thread per request), which on
     * a 2-core machine cannot keep up with 250 checks per second and makes the checks flap.
     */
    static Process startKeepAliveServer(NetnsLab lab, int port) throws Exception {
        Path script = Files.writeString(lab.workDir().resolve("keepalive-server.py"), """
                import http.server, sys
                class Ok(http.server.BaseHTTPRequestHandler):
                    protocol_version = "HTTP/1.1"
                    def do_GET(self):
                        self.send_response(200)
                        self.send_header("Content-Length", "2")
                        self.end_headers()
                        self.wfile.write(b"ok")
                    def log_message(self, *args):
                        pass
                http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Ok).serve_forever()
                """);
        Process p = lab.startInHost(List.of(lab.python3().toString(), script.toString(), Integer.toString(port)),
                lab.workDir().resolve("keepalive-server.log"));
        String connect = "import socket; socket.create_connection(('127.0.0.1', " + port + "), 1).close()";
        for (int i = 0; i < 100; i++) {
            if (lab.runInHost(Duration.ofSeconds(5), lab.python3().toString(), "-c", connect).exitCode() == 0) {
                return p;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the keep-alive server did not start");
    }
}
