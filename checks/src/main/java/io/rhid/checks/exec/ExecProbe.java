package io.rhid.checks.exec;

import io.rhid.checks.internal.Reasons;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the command once per run in its own process group, with output captured to a reused
 * temporary file; confined to the scheduler's run, except {@link #close()}.
 */
final class ExecProbe implements Probe {

    private static final Logger log = LoggerFactory.getLogger(ExecProbe.class);

    /** At most this much captured output is read for the reason. */
    static final int OUTPUT_LIMIT = 4096;

    private static final File DEV_NULL = new File("/dev/null");
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final List<Path> KILL = List.of(Path.of("/bin/kill"), Path.of("/usr/bin/kill"));
    /** How long to wait for killed processes to be reaped before giving up on them. */
    private static final Duration REAP = Duration.ofSeconds(1);

    private final String label;
    private final Duration timeout;
    private final List<String> argv;
    private final ExecProbeSpec spec;
    private final boolean ownGroup;
    private Path output;
    private volatile long lastPid = -1;

    ExecProbe(ExecProbeSpec spec, ProbeContext context) {
        this(spec, context, Files.isExecutable(SETSID));
    }

    ExecProbe(ExecProbeSpec spec, ProbeContext context, boolean useSetsid) {
        this.spec = spec;
        this.label = context.label();
        this.timeout = context.timeout();
        this.ownGroup = useSetsid;
        List<String> argv = new ArrayList<>();
        if (useSetsid) {
            // The child leads a new session and process group, so a timeout can kill everything
            // it started; --wait keeps the exit status correct should setsid have to fork.
            argv.add(SETSID.toString());
            argv.add("--wait");
        }
        argv.addAll(spec.command());
        this.argv = List.copyOf(argv);
    }

    @Override
    public ProbeResult run() {
        try {
            return attempt();
        } catch (IOException e) {
            return ProbeResult.failure("cannot run: " + startError(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failure("interrupted");
        } catch (RuntimeException e) {
            log.warn("{}: unexpected error running {}", label, spec.target(), e);
            return ProbeResult.failure(Reasons.unexpected(e));
        }
    }

    private ProbeResult attempt() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(Redirect.from(DEV_NULL))
                // A file, unlike a pipe, needs no reader thread and never blocks the command;
                // Redirect.to truncates it on every start.
                .redirectOutput(Redirect.to(output().toFile()))
                .redirectErrorStream(true);
        builder.environment().putAll(spec.env());
        Process process = builder.start();
        lastPid = process.pid();
        try {
            if (!process.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                kill(process);
                return ProbeResult.failure(Reasons.timeout(timeout));
            }
        } catch (InterruptedException e) {
            // The agent is stopping: take the command's whole process group along rather than
            // leave it running after rhid has exited. (The interrupt status is clear again here,
            // so the kill can wait for its reaping.)
            kill(process);
            throw e;
        }
        int exit = process.exitValue();
        if (exit == 0) {
            return ProbeResult.pass("exit 0");
        }
        String line = firstLine();
        return ProbeResult.failure(line.isEmpty() ? "exit " + exit : "exit " + exit + ": " + line);
    }

    private void kill(Process process) throws InterruptedException {
        List<ProcessHandle> tree = process.descendants().toList();
        if (ownGroup) {
            // Signalled while the leader is still unreaped, so its pid cannot have been reused.
            killGroup(process.pid());
        }
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        if (!process.waitFor(REAP.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("{}: pid {} still running {} after SIGKILL", label, process.pid(), Reasons.duration(REAP));
        }
    }

    /** Java cannot signal a process group, so this forks kill(1); it happens only on timeouts. */
    private void killGroup(long pgid) throws InterruptedException {
        Path kill = KILL.stream().filter(Files::isExecutable).findFirst().orElse(null);
        if (kill == null) {
            return;
        }
        try {
            Process killer = new ProcessBuilder(kill.toString(), "-KILL", "--", "-" + pgid)
                    .redirectInput(Redirect.from(DEV_NULL))
                    .redirectOutput(Redirect.DISCARD)
                    .redirectError(Redirect.DISCARD)
                    .start();
            if (!killer.waitFor(REAP.toMillis(), TimeUnit.MILLISECONDS)) {
                killer.destroyForcibly();
            }
        } catch (IOException e) {
            log.warn("{}: cannot kill process group {}: {}", label, pgid, e.toString());
        }
    }

    private Path output() throws IOException {
        if (output == null) {
            output = Files.createTempFile("rhid-exec-", ".out");
        }
        return output;
    }

    private String firstLine() {
        try (InputStream in = Files.newInputStream(output)) {
            return Reasons.firstLine(new String(in.readNBytes(OUTPUT_LIMIT), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "";
        }
    }

    /** "Cannot run program "x": error=13, Permission denied" becomes "Permission denied". */
    /**
     * The OS reason from the JDK's message, which differs by version: Java 17 says
     * {@code Cannot run program "x": error=2, No such file or directory}, Java 25
     * {@code Cannot run program "x": Exec failed, error: 2 (No such file or directory) }.
     */
    private static String startError(IOException e) {
        String message = String.valueOf(e.getMessage()).strip(); // Java 25 ends it with a space
        int error = message.indexOf("error=");
        int comma = error < 0 ? -1 : message.indexOf(", ", error);
        if (comma >= 0) {
            return Reasons.cut(message.substring(comma + 2));
        }
        int open = message.indexOf("error: ");
        open = open < 0 ? -1 : message.indexOf(" (", open);
        if (open >= 0 && message.endsWith(")")) {
            return Reasons.cut(message.substring(open + 2, message.length() - 1));
        }
        return Reasons.cut(message);
    }

    /** The pid of the last command started, for tests. */
    long lastPid() {
        return lastPid;
    }

    /** The file capturing output, once the first run has created it; for tests. */
    Path outputFile() {
        return output;
    }

    @Override
    public void close() {
        if (output != null) {
            try {
                Files.deleteIfExists(output);
            } catch (IOException e) {
                log.warn("{}: cannot delete {}: {}", label, output, e.toString());
            }
        }
    }
}
