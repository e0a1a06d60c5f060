package io.rhid.checks.dns;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Sends one DNS query in wire format and returns the reply's wire format, over a socket of its
 * own: a fresh UDP socket (a random source port) or a fresh TCP connection per query, so no query
 * ever waits behind another check's on a shared connection, and a reply is matched to its query by
 * the ID on a socket nothing else uses. Stateless; every method bounds its I/O by a deadline on
 * the {@link System#nanoTime()} clock.
 */
final class DnsExchange {

    /** A DNS header's size: shorter replies cannot be judged. */
    static final int HEADER = 12;

    /** Stray datagrams (late replies to an earlier query) skipped before giving up. */
    private static final int MAX_STRAY = 16;

    private DnsExchange() {
    }

    /** Thrown when the server closed a TCP connection before the whole reply arrived. */
    static final class ClosedBeforeAnswer extends EOFException {
        ClosedBeforeAnswer() {
            super("connection closed by the server before the answer");
        }
    }

    /** Thrown when what came back is not a reply to the query. */
    static final class BadReply extends IOException {
        BadReply(String message) {
            super(message);
        }
    }

    /** One query over UDP; datagrams that are not a reply to it are skipped. */
    static byte[] udp(InetSocketAddress server, byte[] query, long deadline) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            // Connected: the kernel drops datagrams from anyone else, and reports ICMP port
            // unreachable as PortUnreachableException.
            socket.connect(server);
            socket.send(new DatagramPacket(query, query.length));
            byte[] buffer = new byte[65535];
            for (int stray = 0; stray <= MAX_STRAY; stray++) {
                socket.setSoTimeout(remainingMillis(deadline));
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                if (isReplyTo(query, buffer, packet.getLength())) {
                    return Arrays.copyOf(buffer, packet.getLength());
                }
            }
            throw new BadReply(MAX_STRAY + " datagrams, none a reply to the query");
        }
    }

    /**
     * One query over a TCP connection of its own, closed afterwards. A server that takes its
     * queries in order per connection (most do) then answers it without regard to other checks.
     */
    static byte[] tcp(InetSocketAddress server, byte[] query, long deadline) throws IOException {
        if (System.nanoTime() - deadline >= 0) {
            throw new SocketTimeoutException("deadline passed before the TCP retry");
        }
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(server, remainingMillis(deadline));
            byte[] framed = new byte[query.length + 2];
            framed[0] = (byte) (query.length >>> 8);
            framed[1] = (byte) query.length;
            System.arraycopy(query, 0, framed, 2, query.length);
            OutputStream out = socket.getOutputStream();
            out.write(framed); // a query fits in the socket buffer: the write does not block
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] length = readFully(socket, in, 2, deadline);
            byte[] reply = readFully(socket, in, (length[0] & 0xff) << 8 | length[1] & 0xff, deadline);
            if (!isReplyTo(query, reply, reply.length)) {
                throw new BadReply("not a reply to the query (another ID, or no QR flag)");
            }
            return reply;
        }
    }

    /** Whether {@code reply} is a response (QR set) with {@code query}'s ID. */
    static boolean isReplyTo(byte[] query, byte[] reply, int length) {
        return length >= HEADER && reply[0] == query[0] && reply[1] == query[1] && (reply[2] & 0x80) != 0;
    }

    private static byte[] readFully(Socket socket, InputStream in, int n, long deadline) throws IOException {
        byte[] out = new byte[n];
        int read = 0;
        while (read < n) { // each pass reads at least one byte or fails; past the deadline, one pass
            boolean late = System.nanoTime() - deadline >= 0;
            socket.setSoTimeout(remainingMillis(deadline));
            int r = in.read(out, read, n - read);
            if (r < 0) {
                throw new ClosedBeforeAnswer();
            }
            read += r;
            if (late && read < n) {
                throw new SocketTimeoutException("deadline passed with " + read + " of " + n + " bytes read");
            }
        }
        return out;
    }

    /**
     * The time left as a socket timeout, where 0 would mean forever; at least 1 ms, so that a
     * reply already waiting in the socket is still read when this thread itself was delayed (a
     * busy host, a GC pause) past the deadline: the server answered in time, the probe was late.
     * A read that finds nothing then fails within that millisecond.
     */
    static int remainingMillis(long deadline) {
        long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        return (int) Math.max(1, Math.min(millis, Integer.MAX_VALUE));
    }
}
