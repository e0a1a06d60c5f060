package io.rhid.agent.router.bird;

import io.rhid.agent.router.CommandResult;
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
        Connection connection;
        try {
            connection = connect(socket, argv, start, deadline);
        } catch (IOException e) {
            return new CommandResult(argv, 1, "BIRD control socket " + socket + ": " + reason(e), System.nanoTime() - start, false);
        }
        if (connection.failure() != null) {
            return connection.failure();
        }
        try (SocketChannel ch = connection.channel()) {
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

    /** A connected, non-blocking channel, or the result to return instead. */
    private record Connection(SocketChannel channel, CommandResult failure) {
    }

    /**
     * Connects within the deadline. A blocking connect(2) would wait for as long as BIRD accepts
     * nothing (SIGSTOPped, or busy) once its listen queue is full; non-blocking, a full queue
     * fails with EAGAIN, which is retried (on a new channel: a failed connect closes it) until
     * the deadline and then reported as a timeout.
     */
    private static Connection connect(Path socket, List<String> argv, long start, long deadline) throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        while (true) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            boolean connected = false;
            try {
                ch.configureBlocking(false);
                connected = ch.connect(address) || finishConnect(ch, deadline);
                if (!connected) {
                    return new Connection(null, busy(argv, start, socket, "connection not accepted"));
                }
                return new Connection(ch, null);
            } catch (IOException e) {
                // EAGAIN (the queue is full) surfaces as a plain SocketException; a refused
                // connection (ConnectException) or a missing socket file means BIRD is not there.
                boolean queueFull = e.getClass() == java.net.SocketException.class && java.nio.file.Files.exists(socket);
                if (!queueFull) {
                    // birdc's own wording, so logs and replies read the same with either transport.
                    return new Connection(null, new CommandResult(argv, 1, "Unable to connect to server control socket ("
                            + socket + "): " + reason(e), System.nanoTime() - start, false));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Connection(null, busy(argv, start, socket, reason(e)));
                }
                try {
                    Thread.sleep(Math.min(20, Math.max(1, left / 1_000_000)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return new Connection(null, busy(argv, start, socket, "interrupted"));
                }
            } finally {
                if (!connected) {
                    ch.close();
                }
            }
        }
    }

    /** Waits for a connection in progress (not seen with Unix sockets, but allowed); false at the deadline. */
    private static boolean finishConnect(SocketChannel ch, long deadline) throws IOException {
        try (Selector selector = Selector.open()) {
            ch.register(selector, SelectionKey.OP_CONNECT);
            while (!ch.finishConnect()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
            }
            return true;
        }
    }

    /** BIRD's socket exists but BIRD accepted no connection in time: hung, stopped or very busy. */
    private static CommandResult busy(List<String> argv, long start, Path socket, String why) {
        return new CommandResult(argv, -1, "BIRD control socket " + socket + " accepts no connections (" + why
                + "): BIRD hangs or is busy\n(no reply within the time limit)", System.nanoTime() - start, true);
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
