package io.rhid.agent.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The lab's tools and how it runs them: finding {@code ip}, {@code bird}, {@code birdc} and
 * {@code python3}, deciding once per JVM whether the lab can run here, and running commands and
 * stopping processes by PID, every one bounded. Stateless apart from the cached availability;
 * safe from any thread.
 */
final class LabCommands {

    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    static final Duration STOP_GRACE = Duration.ofSeconds(3);
    private static final ExecutorService OUTPUT_READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "netns-lab-output");
        t.setDaemon(true);
        return t;
    });
    private static Availability availability; // guarded by LabCommands.class

    private LabCommands() {
    }

    /** The executables the lab runs. */
    record Tools(Path ip, Path bird, Path birdc, Path python3) {
    }

    /** Tools found, or why the lab cannot run here. */
    record Availability(Tools tools, String skipReason) {
        static Availability skip(String reason) {
            return new Availability(null, reason);
        }
    }

    /** Probed once per JVM: root, the tools, and permission to add a namespace (named by {@code probeName}). */
    static synchronized Availability availability(java.util.function.Supplier<String> probeName) {
        if (availability == null) {
            availability = probe(probeName.get());
        }
        return availability;
    }

    private static Availability probe(String probeNamespace) {
        if (!isRoot()) {
            return Availability.skip("not root");
        }
        Optional<Path> ip = executable("rhid.it.ip", "ip");
        Optional<Path> bird = executable("rhid.it.bird", "bird");
        Optional<Path> birdc = executable("rhid.it.birdc", "birdc");
        Optional<Path> python3 = executable("rhid.it.python3", "python3");
        if (ip.isEmpty()) {
            return Availability.skip("ip (iproute2) not found");
        }
        if (bird.isEmpty() || birdc.isEmpty()) {
            return Availability.skip("bird/birdc not found (install bird2)");
        }
        if (python3.isEmpty()) {
            return Availability.skip("python3 not found");
        }
        Tools tools = new Tools(ip.get(), bird.get(), birdc.get(), python3.get());
        try {
            LabNamespaces.holdRunLock();
        } catch (IOException e) {
            return Availability.skip("cannot lock " + LabNamespaces.lockDir() + ": " + e.getMessage());
        }
        try {
            NetnsLab.CommandResult add = exec(List.of(tools.ip().toString(), "netns", "add", probeNamespace), COMMAND_TIMEOUT);
            if (add.exitCode() != 0) {
                return Availability.skip("ip netns add not permitted: " + add.output().strip());
            }
            exec(List.of(tools.ip().toString(), "netns", "del", probeNamespace), COMMAND_TIMEOUT);
        } catch (RuntimeException e) {
            return Availability.skip("ip netns add failed: " + e.getMessage());
        }
        return new Availability(tools, null);
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** A system property override, else the first match on PATH or in the sbin directories. */
    static Optional<Path> executable(String property, String name) {
        String override = System.getProperty(property);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            return Files.isExecutable(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(Arrays.asList(path.split(":")));
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** Runs a command to completion, reading its merged output concurrently; bounded by timeout. */
    static NetnsLab.CommandResult exec(List<String> command, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        InputStream stdout = p.getInputStream();
        Future<byte[]> output = OUTPUT_READERS.submit(stdout::readAllBytes);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                waitQuietly(p, STOP_GRACE);
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", command));
            }
            return new NetnsLab.CommandResult(command, p.exitValue(), new String(output.get(5, TimeUnit.SECONDS), UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read output of " + String.join(" ", command), e);
        }
    }

    /** Runs {@code command}, throwing with its output unless it exits 0. */
    static void check(List<String> command) {
        NetnsLab.CommandResult r = exec(command, COMMAND_TIMEOUT);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + r.exitCode() + ": "
                    + r.output().strip());
        }
    }

    static boolean waitQuietly(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    /** SIGTERM, then SIGKILL if {@code p} has not exited within {@code grace}; returns the exit code. */
    static int terminate(Process p, Duration grace) {
        if (p.isAlive()) {
            p.destroy();
            if (!waitQuietly(p, grace)) {
                p.destroyForcibly();
                if (!waitQuietly(p, grace)) {
                    throw new IllegalStateException("pid " + p.pid() + " survived SIGKILL for " + grace);
                }
            }
        }
        return p.exitValue();
    }

    /** As {@link #terminate}, reporting instead of throwing; a null process is ignored. */
    static void terminateQuietly(Process p) {
        if (p == null) {
            return;
        }
        try {
            terminate(p, STOP_GRACE);
        } catch (RuntimeException e) {
            System.err.println("NetnsLab: could not stop pid " + p.pid() + ": " + e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code n} lines of a file, or a note that it cannot be read. */
    static String tail(Path file, int n) {
        try {
            List<String> lines = Files.readAllLines(file, UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
