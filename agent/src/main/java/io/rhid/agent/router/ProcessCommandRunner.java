package io.rhid.agent.router;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands as child processes. Output is read on the calling thread after the command's
 * input is written; a reader thread is used only to enforce the timeout while reading, so a
 * command that hangs (a stuck birdc) is killed and reported instead of blocking the control loop.
 */
public final class ProcessCommandRunner implements CommandRunner {

    /** Output beyond this is dropped: replies rhid parses are far smaller except route dumps. */
    static final int MAX_OUTPUT = 64 << 20;

    @Override
    public CommandResult run(List<String> argv, String stdin, Duration timeout) {
        return run(argv, Map.of(), stdin, timeout);
    }

    /** Like {@link #run(List, String, Duration)}, with {@code env} added to the environment. */
    public CommandResult run(List<String> argv, Map<String, String> env, String stdin, Duration timeout) {
        long start = System.nanoTime();
        Process process;
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
            pb.environment().putAll(env);
            process = pb.start();
        } catch (IOException e) {
            return new CommandResult(argv, -1, "cannot start " + argv.get(0) + ": " + e.getMessage(),
                    System.nanoTime() - start, false);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> drain(process.getInputStream(), out), "rhid-cmd-output");
        reader.setDaemon(true);
        reader.start();
        try {
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // The command exited without reading its input; its exit status tells why.
            }
            boolean exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (!exited) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(1, TimeUnit.SECONDS);
                reader.join(100);
                return new CommandResult(argv, -1, text(out) + "\n(killed after " + timeout.toMillis() + " ms)",
                        System.nanoTime() - start, true);
            }
            reader.join(timeout.toMillis());
            return new CommandResult(argv, process.exitValue(), text(out), System.nanoTime() - start, false);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new CommandResult(argv, -1, "interrupted", System.nanoTime() - start, true);
        }
    }

    private static void drain(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (out) {
                    if (out.size() + n <= MAX_OUTPUT) {
                        out.write(buf, 0, n);
                    }
                }
            }
        } catch (IOException e) {
            // The process was killed; what was read so far is kept.
        }
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
