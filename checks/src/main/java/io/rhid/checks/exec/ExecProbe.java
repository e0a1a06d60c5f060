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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the command once per run in a session of its own, reading at most {@link #OUTPUT_LIMIT}
 * bytes of its output through a pipe, and kills whatever is left of the session after every run;
 * confined to the scheduler's run, except {@link #close()}.
 */
final class ExecProbe implements Probe {

    private static final Logger log = LoggerFactory.getLogger(ExecProbe.class);

    /** At most this much output is kept, for the reason; the rest is read and dropped. */
    static final int OUTPUT_LIMIT = 4096;

    private static final File DEV_NULL = new File("/dev/null");
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    /** How long to wait for the output's end and the command's reaping once everything is killed. */
    private static final Duration REAP = Duration.ofSeconds(1);
    /**
     * How long a failed run waits at least for its output's reader: on a saturated host the
     * reader thread may not have run yet when the command has exited, and the reason is the
     * operator's only clue. Only a process that escaped into a session of its own and holds the
     * pipe makes the run wait this long.
     */
    private static final Duration OUTPUT_WAIT = Duration.ofSeconds(3);

    /**
     * At most this many threads read commands' output at once, whatever calls the probe: a run
     * beyond them queues its reader. 16 is well above the exec checks a host usually runs at the
     * same moment, and a queued reader costs nothing but time: the command's output waits in the
     * pipe (64 KiB on Linux) until a reader is free, and readers free up as their runs end, at the
     * latest at their check's timeout, when the command's session is killed. Only a command that
     * writes more than the pipe holds while all 16 are busy waits for one, and may time out.
     */
    static final int READER_THREADS = 16;

    /**
     * Reads commands' output while they run, so a chatty command never blocks on a full pipe;
     * idle threads end after a minute.
     */
    private static final ThreadPoolExecutor READERS = readers(READER_THREADS, Duration.ofMinutes(1));

    /**
     * A pool that hands a task to an idle thread if there is one, starts a thread if fewer than
     * {@code max} run, and only then queues. (A fixed pool with a queue would start a new thread
     * for each of the first {@code max} tasks however idle the others are, so a single exec check
     * would keep {@code max} readers; a cached pool has no bound.)
     */
    static ThreadPoolExecutor readers(int max, Duration idle) {
        IdleFirstQueue queue = new IdleFirstQueue();
        return new ThreadPoolExecutor(0, max, idle.toNanos(), TimeUnit.NANOSECONDS, queue, r -> {
            Thread t = new Thread(r, "rhid-exec-output");
            t.setDaemon(true);
            return t;
        }, (task, pool) -> {
            if (pool.isShutdown()) {
                throw new RejectedExecutionException("exec output readers are shut down");
            }
            queue.enqueue(task); // all max threads are busy: wait for one
        });
    }

    /**
     * Offers a task only to a thread waiting for one, so that the pool starts a thread (up to its
     * maximum) rather than queueing while none is idle; {@link #enqueue} queues for real.
     */
    private static final class IdleFirstQueue extends LinkedTransferQueue<Runnable> {
        @Override
        public boolean offer(Runnable task) {
            return tryTransfer(task);
        }

        void enqueue(Runnable task) {
            super.offer(task);
        }
    }

    private final String label;
    private final Duration timeout;
    private final List<String> argv;
    private final ExecProbeSpec spec;
    private final boolean ownSession;
    private volatile long lastPid = -1;

    ExecProbe(ExecProbeSpec spec, ProbeContext context) {
        this(spec, context, Files.isExecutable(SETSID));
    }

    ExecProbe(ExecProbeSpec spec, ProbeContext context, boolean useSetsid) {
        this.spec = spec;
        this.label = context.label();
        this.timeout = context.timeout();
        this.ownSession = useSetsid;
        List<String> argv = new ArrayList<>();
        if (useSetsid) {
            // The child leads a new session (and process group) whose id is its pid, so everything
            // it starts can be found and killed, even what was re-parented away from it. A child
            // of the JVM is never a group leader, so setsid does not fork and the pid is the
            // command's; --wait keeps the exit status right should it ever have to.
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
                .redirectOutput(Redirect.PIPE)
                .redirectErrorStream(true);
        builder.environment().putAll(spec.env());
        Process process = builder.start();
        lastPid = process.pid();
        Future<byte[]> output;
        try {
            output = READERS.submit(() -> head(process.getInputStream()));
        } catch (RejectedExecutionException e) {
            process.getInputStream().close();
            output = CompletableFuture.completedFuture(new byte[0]);
        }
        boolean exited;
        try {
            exited = process.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            // The agent is stopping: take the command's whole session along rather than leave it
            // running after rhid has exited. (The interrupt status is clear again here, so the
            // kill can wait for its reaping.)
            kill(process);
            throw e;
        }
        // Passing or not, nothing the command started outlives its run: a "sleep 300 &" of a
        // passing check would otherwise pile up one orphan per interval.
        kill(process);
        if (!exited) {
            return ProbeResult.failure(Reasons.timeout(timeout));
        }
        int exit = process.exitValue();
        if (exit == 0) {
            return ProbeResult.pass("exit 0");
        }
        String line = firstLine(output, Math.max(deadline - System.nanoTime(), OUTPUT_WAIT.toNanos()));
        return ProbeResult.failure(line.isEmpty() ? "exit " + exit : "exit " + exit + ": " + line);
    }

    /** The first {@link #OUTPUT_LIMIT} bytes of {@code in}; the rest is read up to its end and dropped. */
    private static byte[] head(InputStream in) throws IOException {
        try (in) {
            byte[] head = in.readNBytes(OUTPUT_LIMIT);
            byte[] scratch = new byte[8192];
            while (in.read(scratch) >= 0) {
                // discarded: nothing beyond the limit is kept or written anywhere
            }
            return head;
        }
    }

    /**
     * The session is dead, so the pipe's write ends are closed and its end comes as soon as the
     * reader runs (on a busy host that may take a while: it may wait out the check's timeout); a
     * process that escaped into a session of its own may still hold the pipe: then no reason.
     */
    private String firstLine(Future<byte[]> output, long waitNanos) throws InterruptedException {
        try {
            return Reasons.firstLine(new String(output.get(waitNanos, TimeUnit.NANOSECONDS), StandardCharsets.UTF_8));
        } catch (ExecutionException | TimeoutException e) {
            return "";
        }
    }

    private void kill(Process process) throws InterruptedException {
        List<ProcessHandle> tree = process.descendants().toList();
        if (ownSession) {
            int left = Sessions.killAll(process.pid());
            if (left > 0) {
                log.warn("{}: {} processes of the command's session still alive after SIGKILL", label, left);
            }
        }
        // Through its handle: Process.destroyForcibly also closes the output stream, which would
        // lose the reason of a command whose reader is still queued (all readers busy). The
        // reader closes the stream when it has read it.
        process.toHandle().destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        if (!process.waitFor(REAP.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("{}: pid {} still running {} after SIGKILL", label, process.pid(), Reasons.duration(REAP));
        }
    }

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

    /** The most output readers that ever ran at once, for tests. */
    static int mostReaderThreads() {
        return READERS.getLargestPoolSize();
    }

    /** The pid of the last command started, for tests. */
    long lastPid() {
        return lastPid;
    }

    @Override
    public void close() {
        // Runs never leave anything behind; nothing is held between them.
    }
}
