package io.rhid.agent.router.exabgp;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.rhid.agent.router.ApplyException;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * rhid's end of ExaBGP's API pipe: commands go out on the process's stdout, ExaBGP's answers come
 * in on its stdin. One reader thread only queues what ExaBGP writes; {@link #send} and
 * {@link #query} are called from the control loop's thread alone.
 *
 * <p>ExaBGP 4.2 answers every command with {@code done} or {@code error} (while
 * {@code exabgp.api.ack} is true, its default), and {@code show adj-rib out} with one line per
 * route, then {@code done}. Commands that parse (all rhid sends) run in the order they were
 * received, so their answers come back in that order too. Before it terminates its processes,
 * ExaBGP writes {@code shutdown PID PPID}; when it dies, stdin reaches end of file.
 */
public final class ExabgpPipe {

    private static final Logger log = LoggerFactory.getLogger(ExabgpPipe.class);
    private static final String CLOSED = "\u0000closed";

    private static ExabgpPipe stdio; // guarded by ExabgpPipe.class

    private final OutputStream out;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<Consumer<String>> closeListeners = new CopyOnWriteArrayList<>();
    private volatile String closedReason;
    /** Answers still due for commands whose wait timed out; they arrive before the next ones. */
    private int owed;

    ExabgpPipe(InputStream in, OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
        Thread reader = new Thread(() -> read(in), "rhid-exabgp-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The pipe on this process's stdin and stdout, created once. From then on {@link System#out}
     * is stderr, so nothing but API commands can reach ExaBGP: a stray line on stdout would be
     * parsed as a command and its {@code error} answer taken for the answer to one of rhid's.
     */
    public static synchronized ExabgpPipe stdio() {
        if (stdio == null) {
            OutputStream realStdout = new FileOutputStream(FileDescriptor.out);
            System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
            stdio = new ExabgpPipe(System.in, realStdout);
        }
        return stdio;
    }

    /** Calls {@code listener} with the reason once ExaBGP shuts down or closes the pipe. */
    public synchronized void onClosed(Consumer<String> listener) {
        closeListeners.add(listener);
        String reason = closedReason;
        if (reason != null) {
            listener.accept(reason);
        }
    }

    /** Why ExaBGP can no longer be talked to, or null while it can. */
    String closedReason() {
        return closedReason;
    }

    /**
     * Writes {@code commands} in one go and waits for one answer each.
     *
     * @return the number of {@code error} answers
     * @throws ApplyException when the pipe is closed or the answers do not all arrive in time
     */
    int send(List<String> commands, Duration timeout) throws ApplyException {
        if (commands.isEmpty()) {
            return 0;
        }
        write(commands);
        long deadline = System.nanoTime() + timeout.toNanos();
        int answered = 0;
        int errors = 0;
        while (answered < commands.size()) {
            String line = next(deadline, commands.size() - answered);
            if (line.equals("done") || line.equals("error")) {
                if (owed > 0) {
                    owed--;
                    continue;
                }
                answered++;
                if (line.equals("error")) {
                    errors++;
                }
            } else {
                log.debug("exabgp: ignoring \"{}\"", line);
            }
        }
        return errors;
    }

    /**
     * Sends {@code command} and returns the lines ExaBGP writes before its {@code done}.
     *
     * @throws ApplyException when ExaBGP answers {@code error}, the pipe is closed, or time runs out
     */
    List<String> query(String command, Duration timeout) throws ApplyException {
        write(List.of(command));
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> reply = new ArrayList<>();
        while (true) {
            String line = next(deadline, 1);
            if (line.equals("done") || line.equals("error")) {
                if (owed > 0) {
                    owed--;
                    continue;
                }
                if (line.equals("error")) {
                    throw new ApplyException("ExaBGP answered error to \"" + command + "\"");
                }
                return reply;
            }
            reply.add(line);
        }
    }

    private void write(List<String> commands) throws ApplyException {
        String reason = closedReason;
        if (reason != null) {
            throw new ApplyException(reason);
        }
        StringBuilder text = new StringBuilder();
        for (String c : commands) {
            text.append(c).append('\n');
        }
        try {
            out.write(text.toString().getBytes(US_ASCII));
            out.flush();
        } catch (IOException e) {
            close("cannot write to ExaBGP: " + e.getMessage());
            throw new ApplyException(closedReason, e);
        }
    }

    /** The next line ExaBGP wrote; {@code missing} answers are outstanding if the wait times out. */
    private String next(long deadline, int missing) throws ApplyException {
        try {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                owed += missing;
                throw new ApplyException("no answer from ExaBGP within the command timeout (" + missing
                        + " outstanding; rhid needs exabgp.api.ack true, ExaBGP's default)");
            }
            if (line.equals(CLOSED)) {
                lines.add(CLOSED); // every later wait ends at once too
                throw new ApplyException(closedReason);
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyException("interrupted while waiting for ExaBGP");
        }
    }

    private void read(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                // "shutdown PID PPID" with encoder text; a notification object with encoder json.
                if (line.startsWith("shutdown") || line.contains("\"notification\": \"shutdown\"")) {
                    close("ExaBGP is shutting down (\"" + line.strip() + "\")");
                    return;
                }
                if (!line.isBlank()) {
                    lines.add(line.strip());
                }
            }
            close("ExaBGP closed rhid's stdin (it stopped or died)");
        } catch (IOException e) {
            close("cannot read from ExaBGP: " + e.getMessage());
        }
    }

    private synchronized void close(String reason) {
        if (closedReason != null) {
            return;
        }
        closedReason = reason;
        lines.add(CLOSED);
        for (Consumer<String> listener : closeListeners) {
            listener.accept(reason);
        }
    }
}
