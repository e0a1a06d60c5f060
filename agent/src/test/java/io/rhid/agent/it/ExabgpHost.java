package io.rhid.agent.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * ExaBGP 4.2 as the host's BGP speaker in a {@link NetnsLab#startRouterOnly} lab: foreground, its
 * config, pid file and log in the lab's work directory, started and stopped by PID. rhid runs only
 * as its API process, started by ExaBGP from the {@code process} block; rhid's stderr is ExaBGP's
 * stderr, which goes to {@link #rhidLog()}.
 */
final class ExabgpHost implements AutoCloseable, LabWitness {

    private static final Path EXABGP = Path.of("/usr/sbin/exabgp");

    private final NetnsLab lab;
    private final Path conf;
    private final Path log;
    private final Path out;
    private final Path rhidConfig;
    private Process process;

    ExabgpHost(NetnsLab lab, Path rhidConfig) {
        this(lab, rhidConfig, true);
    }

    /** With {@code listed} false the neighbor's api block omits rhid, so ExaBGP answers its commands with error. */
    ExabgpHost(NetnsLab lab, Path rhidConfig, boolean listed) {
        this.lab = lab;
        this.conf = lab.workDir().resolve("exabgp.conf");
        this.log = lab.workDir().resolve("exabgp.log");
        this.out = lab.workDir().resolve("exabgp.out");
        this.rhidConfig = rhidConfig;
        lab.attach(this);
        // The operator's snippet from the README, with this build's launcher and debug logs.
        String text = """
                process rhid {
                    run %s run -c %s --log-level debug;
                    encoder text;
                }

                neighbor %s {
                    router-id %s;
                    local-address %s;
                    local-as %d;
                    peer-as %d;
                    family { ipv4 unicast; }
                    %s
                }
                """.formatted(RhidProcess.launcher(), rhidConfig, NetnsLab.ROUTER_ADDRESS_V4, NetnsLab.HOST_ADDRESS_V4,
                NetnsLab.HOST_ADDRESS_V4, NetnsLab.HOST_ASN, NetnsLab.ROUTER_ASN,
                listed ? "api { processes [ rhid ]; }" : "# no api block: rhid's routes go nowhere");
        try {
            Files.writeString(conf, text, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assumeAvailable() {
        NetnsLab.assumeAvailable();
        if (!Files.isExecutable(EXABGP)) {
            System.err.println("SKIPPED rhid ExaBGP integration tests: " + EXABGP + " not found (Debian package exabgp)");
        }
        Assumptions.assumeTrue(Files.isExecutable(EXABGP), EXABGP + " not found (Debian package exabgp)");
    }

    /** Starts ExaBGP in the host namespace (which starts rhid). */
    void start() {
        List<String> argv = new ArrayList<>(List.of("env",
                "exabgp.daemon.daemonize=false",
                "exabgp.daemon.user=root",
                "exabgp.daemon.pid=" + lab.workDir().resolve("exabgp.pid"),
                "exabgp.log.destination=" + log,
                "exabgp.log.level=INFO",
                "exabgp.api.cli=false",
                EXABGP.toString(), conf.toString()));
        process = lab.startInHost(argv, out);
    }

    /** SIGTERM to ExaBGP, bounded; returns its exit code. */
    int stop(Duration grace) {
        return NetnsLab.terminate(process, grace);
    }

    Process process() {
        return process;
    }

    /** rhid's PID: ExaBGP's child running java; waits for it (ExaBGP respawns it). */
    long rhidPid(Duration timeout, long notPid) {
        long deadline = Patience.deadline(timeout);
        while (true) {
            Optional<ProcessHandle> child = process.toHandle().children()
                    .filter(h -> h.pid() != notPid && h.isAlive())
                    .filter(h -> h.info().command().map(c -> c.contains("java")).orElse(false))
                    .findFirst();
            if (child.isPresent()) {
                return child.get().pid();
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("no rhid child of ExaBGP (pid " + process.pid() + ") within "
                        + Patience.of(timeout)
                        + diagnostics());
            }
            pause(20);
        }
    }

    /** ExaBGP's log (what it sent and received) and rhid's, then rhid's {@code /status}. */
    @Override
    public String failureReport() {
        StringBuilder sb = new StringBuilder();
        sb.append("\n--- ").append(log).append(" (ExaBGP, last 40 lines)\n").append(NetnsLab.lastLines(exabgpLog(), 40));
        sb.append("\n--- ").append(out).append(" (rhid under ExaBGP, last 80 lines)\n").append(NetnsLab.lastLines(rhidLog(), 80));
        String address;
        try {
            address = RhidProcess.statusAddress(Files.readString(rhidConfig));
        } catch (IOException | RuntimeException e) {
            return sb.toString();
        }
        sb.append("\n--- rhid GET http://").append(address).append("/status\n").append(RhidProcess.fetchStatus(lab, address));
        return sb.toString();
    }

    String rhidLog() {
        return read(out);
    }

    String exabgpLog() {
        return read(log);
    }

    /** Waits until at least {@code count} lines of rhid's log match {@code regex}. */
    Matcher awaitRhidLog(String regex, int count, Duration timeout) {
        Pattern p = Pattern.compile(regex, Pattern.MULTILINE);
        long deadline = Patience.deadline(timeout);
        while (true) {
            Matcher m = p.matcher(rhidLog());
            int found = 0;
            while (m.find()) {
                if (++found == count) {
                    return m;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("rhid did not log /" + regex + "/ " + count + " time(s) within "
                        + Patience.of(timeout)
                        + diagnostics());
            }
            pause(20);
        }
    }

    String diagnostics() {
        return "\n--- rhid (ExaBGP's stderr), last 40 lines\n" + NetnsLab.tail(out, 40)
                + "\n--- " + log + " (last 25 lines)\n" + NetnsLab.tail(log, 25) + lab.diagnostics();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            NetnsLab.terminate(process, Duration.ofSeconds(15));
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
