package io.rhid.checks.tcp;

import io.rhid.checks.internal.Endpoints;
import io.rhid.checks.internal.Reasons;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens one TCP connection per run, writes and reads within the timeout; confined to the scheduler's run. */
final class TcpProbe implements Probe {

    private static final Logger log = LoggerFactory.getLogger(TcpProbe.class);

    /** At most this much is read while looking for {@code expect}. */
    static final int READ_LIMIT = 64 * 1024;

    private final TcpProbeSpec spec;
    private final String label;
    private final Duration timeout;
    private final byte[] send;
    private final byte[] expect;

    TcpProbe(TcpProbeSpec spec, ProbeContext context) {
        this.spec = spec;
        this.label = context.label();
        this.timeout = context.timeout();
        this.send = spec.send().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.expect = spec.expect().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    @Override
    public ProbeResult run() {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(spec.address(), remainingMillis(deadline));
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
