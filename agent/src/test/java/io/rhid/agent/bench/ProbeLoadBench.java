package io.rhid.agent.bench;

import io.rhid.agent.it.NetnsLab;
import io.rhid.agent.it.RhidProcess;
import io.rhid.agent.it.RouteWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 services with one TCP check each every second against one local server: rhid's CPU and
 * RSS after running for a while (5 minutes by default, -Drhid.bench.load.seconds).
 */
@Tag("bench")
class ProbeLoadBench {

    static final int SERVICES = Integer.getInteger("rhid.bench.load.services", 1000);
    static final int SECONDS = Integer.getInteger("rhid.bench.load.seconds", 300);

    @TempDir
    Path dir;

    @Test
    void a_thousand_tcp_checks_every_second() throws Exception {
        NetnsLab.assumeAvailable();
        try (NetnsLab lab = NetnsLab.start(dir); RouteWatch watch = new RouteWatch(lab.routerNetns())) {
            lab.waitForSession(Duration.ofSeconds(20));
            StringBuilder services = new StringBuilder();
            for (int i = 1; i <= SERVICES; i++) {
                services.append("  s").append(i).append(":\n    prefixes: [\"2001:db8:1::").append(Integer.toHexString(i))
                        .append("/128\"]\n    checks:\n      - { type: tcp, address: \"127.0.0.1:9000\" }\n");
            }
            Path config = Files.writeString(lab.workDir().resolve("rhid.yaml"), """
                    router:
                      bird: { include_file: %s, socket: %s }
                    state_dir: %s
                    control: { socket: %s }
                    defaults: { interval: 1s }
                    services:
                    %s""".formatted(lab.includeFile(), lab.hostBirdSocket(), lab.workDir().resolve("state"),
                    lab.workDir().resolve("control.sock"), services));
            startAcceptServer(lab, 9000);
            try (RhidProcess rhid = RhidProcess.start(lab, config, "--log-level", "info")) {
                watch.await("2001:db8:1::" + Integer.toHexString(SERVICES), false, Duration.ofSeconds(60));
                ProcStats start = ProcStats.of(rhid.pid());
                long minuteBeforeEnd = Math.max(0, SECONDS - 60) * 1000L;
                Thread.sleep(minuteBeforeEnd);
                ProcStats lastMinute = ProcStats.of(rhid.pid());
                Thread.sleep(SECONDS * 1000L - minuteBeforeEnd);
                ProcStats end = ProcStats.of(rhid.pid());
                long announced = lab.routerKernelRoutes().stream().filter(r -> r.startsWith("2001:db8:1::")).count();
                new BenchReport("probe-load", SERVICES + " TCP checks every second")
                        .paragraph(SERVICES + " services, one TCP check each (connect and close) against one local server, "
                                + "interval 1s, the launcher's default JVM flags; measured over " + SECONDS + " s after all "
                                + "routes were announced.")
                        .table(List.of("measure", "value"), List.of(
                                BenchReport.row("rhid CPU over the whole run (percent of one core)",
                                        String.format(Locale.ROOT, "%.1f %%", end.cpuPercentSince(start))),
                                BenchReport.row("rhid CPU over the last minute",
                                        String.format(Locale.ROOT, "%.1f %%", end.cpuPercentSince(lastMinute))),
                                BenchReport.row("RSS at the start / at the end", String.format(Locale.ROOT, "%.0f MB / %.0f MB",
                                        start.rssMb(), end.rssMb())),
                                BenchReport.row("threads at the end", Integer.toString(end.threads())),
                                BenchReport.row("prefixes still announced at the end", announced + " of " + SERVICES)))
                        .write();
            }
        }
    }

    /** A server that accepts and closes every connection (asyncio, one thread). */
    static void startAcceptServer(NetnsLab lab, int port) throws Exception {
        Path script = Files.writeString(lab.workDir().resolve("accept-server.py"), """
                import asyncio, sys
                async def handle(reader, writer):
                    writer.close()
                async def main():
                    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=4096)
                    async with server:
                        await server.serve_forever()
                asyncio.run(main())
                """);
        lab.startInHost(List.of(lab.python3().toString(), script.toString(), Integer.toString(port)),
                lab.workDir().resolve("accept-server.log"));
        String connect = "import socket; socket.create_connection(('127.0.0.1', " + port + "), 1).close()";
        for (int i = 0; i < 100; i++) {
            if (lab.runInHost(Duration.ofSeconds(5), lab.python3().toString(), "-c", connect).exitCode() == 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the accept server did not start");
    }
}
