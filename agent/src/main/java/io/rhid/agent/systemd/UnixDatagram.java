package io.rhid.agent.systemd;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * A Unix datagram socket through libc (Java 17's channels have no Unix datagrams): sends to
 * systemd's notify socket, and receives in tests standing in for systemd. Thread-safe: the
 * descriptor is used under this object's lock.
 */
final class UnixDatagram implements AutoCloseable {

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000; // Linux: the descriptor does not leak into exec checks
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    /** sizeof(sockaddr_un.sun_path) on Linux. */
    private static final int PATH_MAX = 108;

    /** The few libc calls needed, mapped by JNA; errno becomes a {@link LastErrorException}. */
    interface Libc extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrlen) throws LastErrorException;

        int bind(int fd, byte[] addr, int addrlen) throws LastErrorException;

        NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

        int setsockopt(int fd, int level, int name, byte[] value, int len) throws LastErrorException;

        int close(int fd);
    }

    private static final class Holder {
        static final Libc LIBC = Native.load("c", Libc.class);
    }

    private final int fd;
    private boolean closed;

    private UnixDatagram(int fd) {
        this.fd = fd;
    }

    /** An unbound socket for {@link #send}. */
    static UnixDatagram open() throws IOException {
        try {
            return new UnixDatagram(Holder.LIBC.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        } catch (LastErrorException | LinkageError e) {
            // LinkageError: JNA could not load its native part (it unpacks it under
            // $XDG_CACHE_HOME or ~/.cache/JNA): rhid runs on, unnotified, and systemd's start
            // times out, which fails closed.
            throw new IOException("cannot create a unix datagram socket: " + e, e);
        }
    }

    /** A socket bound to {@code name} (a path, or "@name" in the abstract namespace), for receiving. */
    static UnixDatagram bind(String name) throws IOException {
        UnixDatagram s = open();
        byte[] addr = address(name);
        try {
            Holder.LIBC.bind(s.fd, addr, addr.length);
        } catch (LastErrorException e) {
            s.close();
            throw new IOException("cannot bind " + name + ": " + e.getMessage(), e);
        }
        return s;
    }

    /** Sends one datagram to {@code name}. */
    synchronized void send(String name, String message) throws IOException {
        if (closed) {
            throw new IOException("socket closed");
        }
        byte[] addr = address(name);
        byte[] data = message.getBytes(StandardCharsets.UTF_8);
        try {
            Holder.LIBC.sendto(fd, data, new NativeLong(data.length), MSG_NOSIGNAL, addr, addr.length);
        } catch (LastErrorException e) {
            throw new IOException("cannot send to " + name + ": errno " + e.getErrorCode(), e);
        }
    }

    /** Receives one datagram, waiting at most {@code timeout}; null when none came. */
    synchronized String receive(Duration timeout) throws IOException {
        ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        tv.putLong(timeout.toSeconds()).putLong(timeout.toNanosPart() / 1000); // struct timeval, 64-bit
        byte[] buf = new byte[4096];
        try {
            Holder.LIBC.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv.array(), 16);
            long n = Holder.LIBC.recv(fd, buf, new NativeLong(buf.length), 0).longValue();
            return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == 11) { // EAGAIN: the timeout passed
                return null;
            }
            throw new IOException("recv: errno " + e.getErrorCode(), e);
        }
    }

    /**
     * A {@code struct sockaddr_un} for a path, or for "@name" in the abstract namespace (a leading
     * NUL instead of '@', and no terminating NUL counted), the way systemd spells NOTIFY_SOCKET.
     */
    static byte[] address(String name) {
        byte[] path = name.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = name.startsWith("@");
        if (name.length() < 2 && abstractName || name.isEmpty() || path.length > (abstractName ? PATH_MAX : PATH_MAX - 1)) {
            throw new IllegalArgumentException("not a unix socket address: \"" + name + "\"");
        }
        ByteBuffer b = ByteBuffer.allocate(2 + path.length + (abstractName ? 0 : 1)).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX);
        if (abstractName) {
            path = Arrays.copyOf(path, path.length);
            path[0] = 0;
        }
        b.put(path);
        return b.array(); // a path's terminating NUL is the buffer's last, zero, byte
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Holder.LIBC.close(fd);
        }
    }
}
