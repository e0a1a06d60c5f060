package io.rhid.agent.schedule;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one idle TCP connection open per watched endpoint and reports, by endpoint name, each one
 * that the server closes or resets, or that it refuses, as far as
 * {@link ReconnectBackoff} counts it as news: when a server
 * process dies the kernel closes its sockets at once, so this is news of a death microseconds
 * after it happens, without waiting for a probe. The connection sends nothing; whatever the
 * server writes is read and dropped.
 *
 * <p>Threading: one thread, started with the first endpoint, owns the selector and every
 * connection; {@link #add}, {@link #remove} and {@link #close} may be called from any thread and
 * hand their work to it. {@code onLost} runs on that thread, so it must be quick and must not
 * block. Reconnects follow {@link ReconnectBackoff}.
 */
final class ConnectionWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectionWatch.class);

    /** An attempt that has not connected by then is a failure (a full accept queue drops SYNs). */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    private final Consumer<String> onLost;
    private final ReconnectBackoff backoff;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    /** Confined to the watch thread. */
    private final Map<String, Endpoint> endpoints = new HashMap<>();
    private final ByteBuffer sink = ByteBuffer.allocate(4096);
    private Selector selector;
    private Thread thread;
    private boolean closed;

    ConnectionWatch(Consumer<String> onLost, ReconnectBackoff backoff) {
        this.onLost = onLost;
        this.backoff = backoff;
    }

    /** Watches {@code address} under {@code name}; counted, so each add needs its own remove. */
    void add(String name, InetSocketAddress address) {
        submit(() -> {
            Endpoint e = endpoints.computeIfAbsent(name, n -> new Endpoint(n, address));
            e.refs++;
        });
    }

    /** Undoes one {@link #add}; the connection is closed when the last one is removed. */
    void remove(String name) {
        submit(() -> {
            Endpoint e = endpoints.get(name);
            if (e != null && --e.refs <= 0) {
                endpoints.remove(name);
                e.disconnect();
            }
        });
    }

    private synchronized void submit(Runnable command) {
        if (closed) {
            return;
        }
        if (thread == null) {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                // Without a selector checks still run on their interval; only the shortcut is lost.
                log.error("watch connections disabled: cannot open a selector: {}", e.toString());
                closed = true;
                return;
            }
            thread = new Thread(this::loop, "rhid-watch");
            thread.setDaemon(true);
            thread.start();
        }
        commands.add(command);
        selector.wakeup();
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
            if (t != null) {
                selector.wakeup();
            }
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(Duration.ofSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized boolean closing() {
        return closed;
    }

    private void loop() {
        try {
            while (!closing()) {
                for (Runnable c = commands.poll(); c != null; c = commands.poll()) {
                    c.run();
                }
                long now = System.nanoTime();
                long wait = Long.MAX_VALUE;
                for (Endpoint e : endpoints.values()) {
                    wait = Math.min(wait, e.tick(now));
                }
                if (wait <= 0) {
                    selector.selectNow();
                } else {
                    // select(0) blocks until woken: nothing is due. Round up, so a due time is never early.
                    selector.select(wait == Long.MAX_VALUE ? 0 : (wait + 999_999) / 1_000_000);
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    ((Endpoint) k.attachment()).ready(k);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Checks still run on their interval; only the shortcut is lost, so say so loudly.
            log.error("watch connections stopped: {}", e.toString(), e);
        } finally {
            synchronized (this) {
                closed = true;
                commands.clear();
            }
            endpoints.values().forEach(Endpoint::disconnect);
            endpoints.clear();
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    /** One watched server and its connection; confined to the watch thread. */
    private final class Endpoint {
        final String name;
        final InetSocketAddress address;
        int refs;
        SocketChannel channel;
        SelectionKey key;
        long connectStarted;
        /** When the connection opened; -1 while connecting or idle. */
        long openedAt = -1;
        long dueAt = System.nanoTime();
        ReconnectBackoff.Streaks streaks = ReconnectBackoff.Streaks.NONE;

        Endpoint(String name, InetSocketAddress address) {
            this.name = name;
            this.address = address;
        }

        /** Starts an attempt that is due, fails one that is overdue; returns nanos until next due. */
        long tick(long now) {
            if (channel == null) {
                if (now - dueAt < 0) {
                    return dueAt - now;
                }
                connect(now);
            }
            if (channel != null && openedAt < 0) {
                long deadline = connectStarted + CONNECT_TIMEOUT.toNanos();
                if (now - deadline >= 0) {
                    lost(now, "connect timed out", true);
                    return Math.max(0, dueAt - now);
                }
                return deadline - now;
            }
            return channel == null ? Math.max(0, dueAt - now) : Long.MAX_VALUE;
        }

        private void connect(long now) {
            connectStarted = now;
            openedAt = -1;
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                if (channel.connect(address)) {
                    opened(now);
                    key = channel.register(selector, SelectionKey.OP_READ, this);
                } else {
                    key = channel.register(selector, SelectionKey.OP_CONNECT, this);
                }
            } catch (IOException e) {
                lost(now, e.toString(), false);
            }
        }

        void ready(SelectionKey k) {
            long now = System.nanoTime();
            if (k != key || !k.isValid()) {
                return;
            }
            try {
                if (k.isConnectable()) {
                    if (channel.finishConnect()) {
                        opened(now);
                        k.interestOps(SelectionKey.OP_READ);
                    }
                } else if (k.isReadable()) {
                    // Bounded: a server that writes without pause is read one buffer per select.
                    sink.clear();
                    if (channel.read(sink) < 0) {
                        lost(now, "closed by the server", false);
                    }
                }
            } catch (IOException e) {
                lost(now, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), false);
            }
        }

        private void opened(long now) {
            openedAt = now;
            streaks = backoff.connected(streaks);
            log.debug("watch {}: connected", name);
        }

        /**
         * @param timedOut whether an attempt ran out of time; every other failed attempt (refused,
         *                 reset during the handshake, unreachable) is news
         */
        private void lost(long now, String why, boolean timedOut) {
            ReconnectBackoff.Next next = openedAt < 0
                    ? backoff.attemptFailed(streaks, !timedOut)
                    : backoff.closed(streaks, now - openedAt);
            disconnect();
            streaks = next.streaks();
            dueAt = now + next.delayNanos();
            log.debug("watch {}: {}; {}next attempt in {} ms [mono {}]", name, why, next.trigger() ? "" : "not news; ",
                    next.delayNanos() / 1_000_000, now);
            if (!next.trigger()) {
                return;
            }
            try {
                onLost.accept(name);
            } catch (RuntimeException e) {
                log.error("watch {}: handling the close failed", name, e);
            }
        }

        void disconnect() {
            if (key != null) {
                key.cancel();
                key = null;
            }
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the descriptor is released either way
                }
                channel = null;
            }
            openedAt = -1;
        }
    }
}
