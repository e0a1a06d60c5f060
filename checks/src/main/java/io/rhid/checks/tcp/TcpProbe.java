package io.rhid.checks.tcp;

import io.rhid.checks.internal.Endpoints;
import io.rhid.checks.internal.Reasons;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens one TCP connection per run, writes and reads within the timeout, and fails a listener on
 * this host that no longer accepts its connections; confined to the scheduler's run (it keeps the
 * last unaccepted connection between runs).
 */
final class TcpProbe implements Probe {

    private static final Logger log = LoggerFactory.getLogger(TcpProbe.class);

    /** At most this much is read while looking for {@code expect}. */
    static final int READ_LIMIT = 64 * 1024;

    private final TcpProbeSpec spec;
    private final String label;
    private final Duration timeout;
    private final byte[] send;
    private final byte[] expect;
    /** Monotonic time for judging how long a connection has waited; deadlines use System.nanoTime. */
    private final LongSupplier ticker;
    /** This probe's oldest connection not yet seen accepted, or null. */
    private Pending pending;

    /** A connection this probe made, by its client address, and when it was made. */
    private record Pending(InetSocketAddress client, long connectedNanos) {
    }

    /** Scans of the kernel's tables, shared with the other probes of the same provider. */
    private final ListenQueues.Recent scans;

    TcpProbe(TcpProbeSpec spec, ProbeContext context) {
        this(spec, context, System::nanoTime, new ListenQueues.Recent());
    }

    TcpProbe(TcpProbeSpec spec, ProbeContext context, ListenQueues.Recent scans) {
        this(spec, context, System::nanoTime, scans);
    }

    TcpProbe(TcpProbeSpec spec, ProbeContext context, LongSupplier ticker) {
        this(spec, context, ticker, new ListenQueues.Recent());
    }

    TcpProbe(TcpProbeSpec spec, ProbeContext context, LongSupplier ticker, ListenQueues.Recent scans) {
        this.ticker = ticker;
        this.scans = scans;
        this.spec = spec;
        this.label = context.label();
        this.timeout = context.timeout();
        this.send = spec.send().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.expect = spec.expect().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    @Override
    public ProbeResult run() {
        ProbeResult hung = acceptQueue();
        if (hung != null) {
            return hung;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(spec.address(), remainingMillis(deadline));
            if (pending == null) {
                pending = new Pending(new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort()), ticker.getAsLong());
            }
            if (send != null) {
                // Writes cannot time out, but a config-sized payload fits in the socket buffer.
                socket.getOutputStream().write(send);
            }
            return expect == null ? ProbeResult.pass() : readUntilExpected(socket, deadline);
        } catch (IOException e) {
            return ProbeResult.failure(Reasons.io(e, timeout));
        } catch (RuntimeException e) {
            log.warn("{}: unexpected error probing {}", label, Endpoints.format(spec.address()), e);
            return ProbeResult.failure(Reasons.unexpected(e));
        }
    }

    /**
     * A hung server still completes handshakes (the kernel does, into the accept queue, until it
     * is full), so a connect alone passes. When the listener is on this host, the kernel's tables
     * show whether the connection this probe made on an earlier run is still waiting to be
     * accepted: still queued after the timeout, the server is not accepting. Every probe's own
     * connection lands in the queue for a moment, hence the earlier run's and the wait.
     *
     * @return the failure, or null when the listener is accepting, is not local, or cannot be seen
     */
    private ProbeResult acceptQueue() {
        if (pending == null) {
            return null;
        }
        if (ticker.getAsLong() - pending.connectedNanos() < timeout.toNanos()) {
            // Queued for less than the timeout (a fast re-run) would not be evidence yet, and
            // reading the tables costs milliseconds: judge this connection on a later run.
            return null;
        }
        Optional<ListenQueues.Scan> scan = scans.read(spec.address(), pending.client(),
                pending.connectedNanos() + timeout.toNanos(), ticker.getAsLong());
        if (scan.isEmpty() || !scan.get().unaccepted()) {
            pending = null; // accepted (or not visible from here): judge the next connection instead
            return null;
        }
        long queued = Math.max(1, scan.get().queued());
        // No new connection: it would only add to the queue of a server that is not reading it.
        return ProbeResult.failure("listener not accepting: " + queued + (queued == 1 ? " connection" : " connections")
                + " queued");
    }

    private ProbeResult readUntilExpected(Socket socket, long deadline) throws IOException {
        byte[] buffer = new byte[READ_LIMIT];
        int length = 0;
        InputStream in = socket.getInputStream();
        String wanted = Reasons.quote(Reasons.cut(spec.expect().orElseThrow()));
        while (length < buffer.length) {
            socket.setSoTimeout(remainingMillis(deadline));
            int read = in.read(buffer, length, buffer.length - length);
            if (read < 0) {
                return ProbeResult.failure("expected " + wanted + " not found before connection closed");
            }
            int from = Math.max(0, length - expect.length + 1);
            length += read;
            if (indexOf(buffer, from, length, expect) >= 0) {
                return ProbeResult.pass();
            }
        }
        return ProbeResult.failure("expected " + wanted + " not found in " + READ_LIMIT / 1024 + " KiB");
    }

    private static int indexOf(byte[] haystack, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The time left as a socket timeout, where 0 would mean forever. */
    private int remainingMillis(long deadline) throws IOException {
        long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (millis <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }
}
