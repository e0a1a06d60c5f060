package io.rhid.checks.tcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Reads the kernel's TCP socket tables ({@code /proc/net/tcp} and {@code /proc/net/tcp6}) to tell
 * whether a local listener accepts its connections: a connection the kernel completed but the
 * server has not accepted yet sits in the listening socket's accept queue, is listed as
 * ESTABLISHED (or CLOSE_WAIT once its client hung up) and has no inode, since no file exists for
 * it until {@code accept()}. Stateless; reads files only, never forks.
 */
final class ListenQueues {

    static final Path TCP = Path.of("/proc/net/tcp");
    static final Path TCP6 = Path.of("/proc/net/tcp6");

    private static final int ESTABLISHED = 0x01;
    private static final int CLOSE_WAIT = 0x08;
    private static final int LISTEN = 0x0A;

    private ListenQueues() {
    }

    /**
     * What the tables say about one connection to a listener.
     *
     * @param listening   whether a LISTEN socket for the server's address (or a wildcard) and port was seen
     * @param queued      the LISTEN sockets' accept queues (rx_queue), summed
     * @param unaccepted  whether the server's side of the connection from {@code client} is still in the queue
     */
    record Scan(boolean listening, long queued, boolean unaccepted) {
        static final Scan NOTHING = new Scan(false, 0, false);
    }

    /**
     * Scans the tables of this network namespace; empty when they cannot be read (not Linux, or
     * /proc hidden). A listener's connections are in the table of its own address family, so the
     * second table is read only when the first has no listener.
     */
    static Optional<Scan> read(InetSocketAddress server, InetSocketAddress client) {
        return readListener(server).map(l -> l.scan(client));
    }

    /** As {@link #read}, for every client of the server at once. */
    static Optional<Listener> readListener(InetSocketAddress server) {
        List<Path> tables = server.getAddress() instanceof Inet6Address ? List.of(TCP6) : List.of(TCP, TCP6);
        Listener found = Listener.NOTHING;
        boolean readOne = false;
        for (Path table : tables) {
            try (BufferedReader lines = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                readOne = true;
                found = scanListener(lines, server);
                if (found.listening()) {
                    return Optional.of(found);
                }
            } catch (IOException | RuntimeException e) {
                // A table that cannot be read or parsed tells nothing; the other may.
            }
        }
        return readOne ? Optional.of(found) : Optional.empty();
    }

    /**
     * What the tables say about one listener: as {@link Scan}, with the client addresses of all its
     * connections still in the accept queue.
     */
    record Listener(boolean listening, long queued, Set<InetSocketAddress> unaccepted) {
        static final Listener NOTHING = new Listener(false, 0, Set.of());

        Scan scan(InetSocketAddress client) {
            return new Scan(listening, queued, unaccepted.contains(client));
        }
    }

    /**
     * Table scans shared by the probes of one provider. Reading the tables makes the kernel walk
     * its whole TCP hash (milliseconds, however few sockets there are), so a thousand checks of
     * one server each reading them every second cost more than everything else rhid does, and
     * their runs took long enough to queue behind each other. A scan is reused for the same
     * server while it is recent and was taken after the asking probe's connection had been queued
     * for its whole timeout: what it shows is then the evidence a fresh scan would have given
     * {@link #MAX_AGE_NANOS} earlier at most. Thread-safe.
     */
    static final class Recent {

        static final long MAX_AGE_NANOS = 50_000_000;

        private record Entry(long takenNanos, Optional<Listener> listener) {
        }

        private final Map<InetSocketAddress, Entry> byServer = new ConcurrentHashMap<>();
        private final Function<InetSocketAddress, Optional<Listener>> reader;

        Recent() {
            this(ListenQueues::readListener);
        }

        Recent(Function<InetSocketAddress, Optional<Listener>> reader) {
            this.reader = reader;
        }

        /**
         * @param notBeforeNanos a scan taken earlier than this is not reused
         * @param nowNanos       now, on the same clock
         */
        Optional<Scan> read(InetSocketAddress server, InetSocketAddress client, long notBeforeNanos, long nowNanos) {
            Entry e = byServer.get(server);
            if (!usable(e, notBeforeNanos, nowNanos)) {
                // One probe reads while the others of the same server wait for its scan: probes
                // released together (linked checks alerted by a failure) would otherwise all read.
                e = byServer.compute(server, (s, old) -> usable(old, notBeforeNanos, nowNanos) ? old
                        : new Entry(nowNanos, reader.apply(s)));
            }
            return e.listener().map(l -> l.scan(client));
        }

        private static boolean usable(Entry e, long notBeforeNanos, long nowNanos) {
            return e != null && e.takenNanos() >= notBeforeNanos && nowNanos - e.takenNanos() <= MAX_AGE_NANOS;
        }
    }

    /** Scans one table's text: the pure part of {@link #read}. */
    static Scan scan(BufferedReader lines, InetSocketAddress server, InetSocketAddress client) throws IOException {
        return scanListener(lines, server).scan(client);
    }

    /** Scans one table's text for every client of {@code server}. */
    static Listener scanListener(BufferedReader lines, InetSocketAddress server) throws IOException {
        // Cheap filter before parsing a line: the port as the table prints it, after the address.
        String port = String.format(Locale.ROOT, ":%04X ", server.getPort());
        boolean listening = false;
        long queued = 0;
        Set<InetSocketAddress> unaccepted = new HashSet<>();
        String line = lines.readLine(); // the header
        while (line != null) {
            line = lines.readLine();
            if (line == null || !line.contains(port)) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length < 10) {
                continue;
            }
            InetSocketAddress local = address(f[1]);
            if (local.getPort() != server.getPort()) {
                continue;
            }
            int state = Integer.parseInt(f[3], 16);
            if (state == LISTEN && (local.getAddress().isAnyLocalAddress() || local.getAddress().equals(server.getAddress()))) {
                listening = true;
                queued += Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
            } else if ((state == ESTABLISHED || state == CLOSE_WAIT) && f[9].equals("0")
                    && local.getAddress().equals(server.getAddress())) {
                unaccepted.add(address(f[2]));
            }
        }
        return new Listener(listening, queued, Set.copyOf(unaccepted));
    }

    /**
     * {@code 0100007F:1F90} or {@code 0000000000000000FFFF00000100007F:1F90}: the address as 32-bit
     * words in host byte order, then the port. A v4-mapped IPv6 address comes back as IPv4, as
     * Java's sockets report it.
     */
    static InetSocketAddress address(String text) {
        int colon = text.indexOf(':');
        String hex = text.substring(0, colon);
        byte[] bytes = new byte[hex.length() / 2];
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int b = Integer.parseInt(hex.substring(word * 8 + i * 2, word * 8 + i * 2 + 2), 16);
                bytes[word * 4 + (little ? 3 - i : i)] = (byte) b;
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), Integer.parseInt(text.substring(colon + 1), 16));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a 4 or 16 byte address: " + text, e);
        }
    }
}
