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
public final class RhidProcess implements AutoCloseable, LabWitness {

    private static final Pattern STATUS_LISTEN = Pattern.compile("(?m)^status:[^\\n]*?(?:\\n\\s+[^\\n]*?)*?listen:\\s*\"?([^\"\\s,}]+)");
    private static final String DEFAULT_STATUS = "127.0.0.1:9790";
    private static final int LOG_TAIL = 80;

    private final NetnsLab lab;
    private final Process process;
    private final Path log;
    private final Path config;

    private RhidProcess(NetnsLab lab, Process process, Path log, Path config) {
        this.lab = lab;
        this.process = process;
        this.log = log;
        this.config = config;
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
        RhidProcess rhid = new RhidProcess(lab, lab.startInHost(argv, log), log, config);
        lab.attach(rhid);
        return rhid;
    }

    /** The status server's address as the config sets it (rhid's default otherwise). */
    static String statusAddress(String configText) {
        Matcher m = STATUS_LISTEN.matcher(configText);
        return m.find() ? m.group(1) : DEFAULT_STATUS;
    }

    @Override
    public boolean live() {
        return process.isAlive();
    }

    /** The tail of rhid's log and its {@code /status}, fetched in the host namespace while it runs. */
    @Override
    public String failureReport() {
        StringBuilder sb = new StringBuilder();
        sb.append("\n--- rhid (pid ").append(process.pid()).append(", ")
                .append(process.isAlive() ? "running" : "exited " + process.exitValue()).append(") ")
                .append(log).append(", last ").append(LOG_TAIL).append(" lines\n")
                .append(NetnsLab.lastLines(log(), LOG_TAIL));
        String address;
        try {
            address = statusAddress(Files.readString(config));
        } catch (IOException | RuntimeException e) {
            address = DEFAULT_STATUS;
        }
        sb.append("\n--- rhid GET http://").append(address).append("/status\n").append(fetchStatus(lab, address));
        return sb.toString();
    }

    /** {@code GET /status} from inside the lab's host namespace, or why it failed; bounded, never throws. */
    static String fetchStatus(NetnsLab lab, String address) {
        try {
            NetnsLab.CommandResult r = lab.httpGetInHost("http://" + address + "/status");
            return r.exitCode() == 0 ? r.output() : "(failed, exit " + r.exitCode() + ": "
                    + NetnsLab.lastLines(r.output(), 3) + ")";
        } catch (RuntimeException e) {
            return "(failed: " + e.getMessage() + ")";
        }
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
        return Patience.until(timeout, Duration.ofMillis(20), () -> {
            Matcher m = p.matcher(log());
            if (m.find()) {
                return java.util.Optional.of(m);
            }
            if (!process.isAlive()) {
                throw new AssertionError("rhid exited with " + process.exitValue() + " before logging /" + regex + "/:\n" + log());
            }
            return java.util.Optional.empty();
        }, () -> "rhid did not log /" + regex + "/ within " + timeout + ":\n" + log() + lab.diagnostics());
    }

    /**
     * Waits until rhid logs that an apply announcing {@code prefix} finished, verification
     * included. The router's kernel may learn the route before that (BIRD exports while rhid still
     * verifies), so a test that disturbs the daemon next waits for this, or rhid's retry of an
     * interrupted apply hides what the test wants to see.
     */
    public Matcher awaitApplied(String prefix, Duration timeout) {
        return awaitLog(": applied in [^\\n]*announce [^\\n]*" + Pattern.quote(prefix), timeout);
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
}
