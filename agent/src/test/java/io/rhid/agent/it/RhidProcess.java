package io.rhid.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code rhid run} as a separate process in the lab's host namespace, started from the build's
 * distribution ({@code agent/target/rhid}, or the installed {@code /usr/bin/rhid} when the
 * {@code rhid.launcher} property names it), with its log in the lab's work directory.
 */
public final class RhidProcess implements AutoCloseable {

    private final NetnsLab lab;
    private final Process process;
    private final Path log;

    private RhidProcess(NetnsLab lab, Process process, Path log) {
        this.lab = lab;
        this.process = process;
        this.log = log;
    }

    /** The launcher under test. */
    public static Path launcher() {
        String explicit = System.getProperty("rhid.launcher");
        if (explicit != null) {
            return Path.of(explicit);
        }
        String home = System.getProperty("rhid.home", "target/rhid");
        return Path.of(home, "bin", "rhid").toAbsolutePath();
    }

    public static RhidProcess start(NetnsLab lab, Path config, String... extraArgs) {
        return start(lab, config, List.of(), extraArgs);
    }

    /** With {@code env} ("NAME=value") added to rhid's environment, as systemd adds NOTIFY_SOCKET. */
    public static RhidProcess start(NetnsLab lab, Path config, List<String> env, String... extraArgs) {
        Path log = lab.workDir().resolve("rhid.log");
        List<String> argv = new ArrayList<>();
        if (!env.isEmpty()) {
            argv.add("/usr/bin/env");
            argv.addAll(env);
        }
        argv.addAll(List.of(launcher().toString(), "run", "-c", config.toString()));
        if (!List.of(extraArgs).contains("--log-level")) {
            argv.addAll(List.of("--log-level", "debug"));
        }
        argv.addAll(List.of(extraArgs));
        return new RhidProcess(lab, lab.startInHost(argv, log), log);
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until a log line matches {@code regex}; returns the match. */
    public Matcher awaitLog(String regex, Duration timeout) {
        Pattern p = Pattern.compile(regex, Pattern.MULTILINE);
        long deadline = Patience.deadline(timeout);
        while (true) {
            Matcher m = p.matcher(log());
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                throw new AssertionError("rhid exited with " + process.exitValue() + " before logging /" + regex + "/:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("rhid did not log /" + regex + "/ within " + timeout + ":\n" + log()
                        + lab.diagnostics());
            }
            sleep(20);
        }
    }

    /** Counts log lines matching {@code regex}. */
    public long count(String regex) {
        Pattern p = Pattern.compile(regex);
        return log().lines().filter(l -> p.matcher(l).find()).count();
    }

    /** Sends SIGTERM and waits for the exit code. */
    public int stop(Duration timeout) {
        process.destroy();
        try {
            if (!process.waitFor(Patience.of(timeout).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new AssertionError("rhid did not exit within " + timeout + " of SIGTERM:\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return process.exitValue();
    }

    public void assertAlive() {
        assertThat(process.isAlive()).as("rhid is still running; its log:\n%s", log()).isTrue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            NetnsLab.terminate(process, Duration.ofSeconds(15));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
