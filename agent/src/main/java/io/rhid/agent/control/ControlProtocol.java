package io.rhid.agent.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The control socket's framing, shared by {@link ControlServer} and the CLI's client: one
 * connection carries one request and one reply, each a single line of UTF-8 JSON ending in
 * {@code \n}.
 *
 * <pre>
 * -&gt; {"command":"drain","services":["dns"],"all":false}
 * &lt;- {"ok":true,"message":"dns: draining"}
 * -&gt; {"command":"status"}
 * &lt;- {"ok":true,"status":{...the snapshot, as GET /status...}}
 * </pre>
 *
 * Reads and writes have deadlines, so neither side can be held by a peer that stops talking.
 */
public final class ControlProtocol {

    /** The commands, in the order help texts list them. */
    public static final List<String> COMMANDS = List.of("status", "drain", "resume", "recheck", "reload");

    /** A request is a command and a few service names. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;

    /** A status reply with 10,000 prefixes is a few MiB; anything near this is a bug. */
    public static final int MAX_REPLY_BYTES = 256 * 1024 * 1024;

    private ControlProtocol() {
    }

    /**
     * Reads one line, without its {@code \n}. A peer that closes after a last line without a
     * newline is read up to the end.
     *
     * @return the line, or null if the peer closed without sending anything
     * @throws SocketTimeoutException if no complete line arrived within {@code timeout}
     * @throws IOException            if the line is longer than {@code maxBytes}
     */
    public static String readLine(SocketChannel channel, int maxBytes, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            while (true) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                }
                for (int i = 0; i < n; i++) {
                    byte b = buffer.get(i);
                    if (b == '\n') {
                        return line.toString(StandardCharsets.UTF_8);
                    }
                    if (line.size() == maxBytes) {
                        throw new IOException("line longer than " + maxBytes + " bytes");
                    }
                    line.write(b);
                }
                if (n == 0) {
                    await(selector, deadline, timeout);
                }
            }
        }
    }

    /** Writes {@code text} and a {@code \n}, within {@code timeout}. */
    public static void writeLine(SocketChannel channel, String text, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuffer buffer = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_WRITE);
            while (buffer.hasRemaining()) {
                if (channel.write(buffer) == 0) {
                    await(selector, deadline, timeout);
                }
            }
        }
    }

    private static void await(Selector selector, long deadline, Duration timeout) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("no progress within " + timeout.toMillis() + " ms");
        }
        // select(0) would wait forever: round up to at least 1 ms.
        selector.select(Math.max(1, (left + 999_999) / 1_000_000));
        selector.selectedKeys().clear();
    }
}
