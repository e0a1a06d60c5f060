package io.rhid.agent.apply;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One command on BIRD's control socket, as birdc sends it. BIRD greets with {@code 0001 BIRD x
 * ready.}; each reply line starts with a four-digit code followed by {@code -} (more follows) or a
 * space (the last line); a line starting with a space continues the previous code. Codes from 8000
 * up are errors. The reply is returned as birdc prints it (codes removed), with exit status 0 or 1
 * as birdc would exit, so callers treat both transports alike.
 */
final class BirdSocket {

    /** Replies rhid parses are small, except route dumps; beyond this the reply is cut off. */
    private static final int MAX_REPLY = 64 << 20;

    private BirdSocket() {
    }

    static CommandResult run(Path socket, String command, Duration timeout) {
        List<String> argv = List.of("bird-socket", socket.toString(), command);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                // birdc's own wording, so logs and replies read the same with either transport.
                return new CommandResult(argv, 1, "Unable to connect to server control socket (" + socket + "): "
                        + reason(e), System.nanoTime() - start, false);
            }
            ch.configureBlocking(false);
            try (Selector selector = Selector.open()) {
                ch.register(selector, SelectionKey.OP_READ);
                Reader reader = new Reader(ch, selector, deadline);
                String greeting = reader.line();
                if (greeting == null || !greeting.startsWith("0001 ")) {
                    return failure(argv, start, reader, "unexpected greeting from BIRD: " + greeting);
                }
                ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                StringBuilder text = new StringBuilder();
                int code = 0;
                while (true) {
                    String line = reader.line();
                    if (line == null) {
                        return failure(argv, start, reader, text + (reader.timedOut ? "" : "Connection closed by server"));
                    }
                    if (line.startsWith(" ")) {
                        text.append(line, 1, line.length()).append('\n');
                        continue;
                    }
                    if (line.length() < 5 || !isCode(line)) {
                        text.append(line).append('\n');
                        continue;
                    }
                    code = Integer.parseInt(line.substring(0, 4));
                    String rest = line.substring(5);
                    if (!rest.isEmpty() || code != 0) {
                        text.append(rest).append('\n');
                    }
                    if (line.charAt(4) == ' ') {
                        break;
                    }
                }
                return new CommandResult(argv, code >= 8000 ? 1 : 0, text.toString(), System.nanoTime() - start, false);
            }
        } catch (IOException e) {
            return new CommandResult(argv, 1, "BIRD control socket " + socket + ": " + reason(e), System.nanoTime() - start, false);
        }
    }

    private static CommandResult failure(List<String> argv, long start, Reader reader, String text) {
        String why = reader.timedOut ? text + "\n(no reply within the time limit)" : text;
        return new CommandResult(argv, -1, why, System.nanoTime() - start, reader.timedOut);
    }

    private static boolean isCode(String line) {
        for (int i = 0; i < 4; i++) {
            if (!Character.isDigit(line.charAt(i))) {
                return false;
            }
        }
        return line.charAt(4) == ' ' || line.charAt(4) == '-';
    }

    private static String reason(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Reads lines from a non-blocking channel, waiting at most until the deadline in total. */
    private static final class Reader {
        private final SocketChannel ch;
        private final Selector selector;
        private final long deadline;
        private final ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        private int total;
        boolean timedOut;

        Reader(SocketChannel ch, Selector selector, long deadline) {
            this.ch = ch;
            this.selector = selector;
            this.deadline = deadline;
            buf.flip();
        }

        /** The next line without its newline, or null at end of stream or deadline. */
        String line() throws IOException {
            while (true) {
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n') {
                        String s = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        return s;
                    }
                    if (total++ < MAX_REPLY) {
                        line.write(b);
                    }
                }
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    buf.flip();
                    return null;
                }
                if (n == 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        timedOut = true;
                        buf.flip();
                        return null;
                    }
                    selector.select(Math.max(1, left / 1_000_000));
                    selector.selectedKeys().clear();
                }
                buf.flip();
            }
        }
    }
}
