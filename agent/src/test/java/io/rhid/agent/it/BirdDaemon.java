package io.rhid.agent.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One BIRD of the lab, the host's or the router's, as an object: its namespace, config, control
 * socket, pid file and logs in the lab's work directory, started in the foreground and stopped by
 * PID. Used from the test thread; {@link #stop} may also run from the lab's shutdown hook.
 */
public final class BirdDaemon {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final LabCommands.Tools tools;
    private final String role;
    private final String netns;
    private final Path workDir;
    private final Path conf;
    private final Path socket;
    private final Path pidFile;
    private final Path log;
    private final Path out;
    private volatile Process process;

    /** {@code role} is "host" or "router": it names the files ({@code bird-ROLE.conf}, ...) and messages. */
    BirdDaemon(LabCommands.Tools tools, String role, String netns, Path workDir) {
        this.tools = tools;
        this.role = role;
        this.netns = netns;
        this.workDir = workDir;
        this.conf = workDir.resolve("bird-" + role + ".conf");
        this.socket = workDir.resolve("bird-" + role + ".ctl");
        this.pidFile = workDir.resolve("bird-" + role + ".pid");
        this.log = workDir.resolve("bird-" + role + ".log");
        this.out = workDir.resolve("bird-" + role + ".out");
    }

    public Path conf() {
        return conf;
    }

    public Path socket() {
        return socket;
    }

    public Path log() {
        return log;
    }

    /** {@code bird -p}: throws with BIRD's complaint unless the config parses. */
    void parseCheck() {
        NetnsLab.CommandResult r = LabCommands.exec(List.of(tools.bird().toString(), "-p", "-c", conf.toString()),
                LabCommands.COMMAND_TIMEOUT);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("bird -p rejects " + conf + ": " + r.output());
        }
    }

    /**
     * Starts BIRD unless it runs, and waits until its control socket answers; {@code diagnostics}
     * (the lab's) is added to the error when it does not.
     */
    void start(Supplier<String> diagnostics) {
        Process running = process;
        if (running != null && running.isAlive()) {
            return;
        }
        List<String> command = List.of(tools.ip().toString(), "netns", "exec", netns, tools.bird().toString(),
                "-f", "-c", conf.toString(), "-s", socket.toString(), "-P", pidFile.toString());
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + role + " BIRD", e);
        }
        process = p;
        NetnsLab.CommandResult[] last = new NetnsLab.CommandResult[1];
        try {
            Patience.until(START_TIMEOUT, Duration.ofMillis(20), () -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException(role + " BIRD exited with " + p.exitValue() + diagnostics.get());
                }
                // A socket file left by a SIGKILLed BIRD refuses connections, so this also waits for
                // the new daemon to replace it.
                last[0] = birdc("show", "status");
                return last[0].exitCode() == 0 && last[0].output().contains("Daemon is up and running")
                        ? Optional.of(true) : Optional.empty();
            }, () -> role + " BIRD control socket " + socket + " not answering: "
                    + (last[0] == null ? "" : last[0].output()) + diagnostics.get());
        } catch (AssertionError | RuntimeException e) {
            LabCommands.terminateQuietly(p);
            throw e;
        }
    }

    /** SIGTERM (BIRD sends its peers a Cease), bounded, then SIGKILL. */
    void stop() {
        LabCommands.terminateQuietly(process);
    }

    /** SIGKILL, as a crash would; the kernel closes its BGP sockets. */
    void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            LabCommands.waitQuietly(p, LabCommands.STOP_GRACE);
        }
    }

    /** The running BIRD's PID; throws when it does not run. */
    public long pid() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            throw new IllegalStateException(role + " BIRD is not running");
        }
        return p.pid();
    }

    /** {@code birdc -s SOCKET args...}, bounded. */
    public NetnsLab.CommandResult birdc(String... args) {
        List<String> command = new ArrayList<>(List.of(tools.birdc().toString(), "-s", socket.toString()));
        command.addAll(Arrays.asList(args));
        return LabCommands.exec(command, LabCommands.COMMAND_TIMEOUT);
    }

    /** The last lines of its log and of its stdout/stderr, for failure messages. */
    String diagnostics() {
        return "\n--- " + log + " (last 25 lines)\n" + LabCommands.tail(log, 25)
                + "\n--- " + out + " (last 10 lines)\n" + LabCommands.tail(out, 10);
    }
}
