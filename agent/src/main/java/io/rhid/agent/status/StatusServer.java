package io.rhid.agent.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.rhid.agent.config.RhidConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only HTTP server on {@code status.listen}: {@code GET /status} (the snapshot as JSON,
 * see {@link StatusJson}), {@code GET /metrics} (Prometheus text, see {@link PrometheusText}) and
 * {@code GET /healthz}. Nothing here changes the daemon; mutating commands go through the control
 * socket only.
 *
 * <p>{@code /healthz} answers 200 {@code ok} while the daemon can produce a snapshot, and 503
 * otherwise. A failing router apply is deliberately not unhealthy: restarting rhid would not fix
 * the routing daemon, and the failure is visible in {@code /status} and
 * {@code rhid_router_apply_total{result="error"}}.
 *
 * <p>Any local user can connect, so every resource a client can hold is bounded: at most
 * 1,024 connections (a new one closes the oldest), a request head of at most 8 KiB, 5 s to send
 * it and 10 s to take the answer, one request per connection (see {@link #DEFAULT}). A small non-blocking server does this with one
 * thread, so slow or half-open clients hold no thread (the JDK's server reads requests on its
 * worker threads, where two stalled clients blocked every endpoint).
 *
 * <p>Threading: one selector thread owns every connection; {@code /status} and {@code /metrics}
 * are rendered on a second thread so a large snapshot never delays {@code /healthz}; both only
 * read the snapshot supplier and {@link Metrics}, which are safe from any thread.
 */
public final class StatusServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusServer.class);

    /** What one client may hold; {@link #DEFAULT} in the daemon, smaller in tests. */
    record Limits(int maxConnections, int maxRequestBytes, Duration requestTimeout, Duration responseTimeout) {
    }

    static final Limits DEFAULT = new Limits(1024, 8192, Duration.ofSeconds(5), Duration.ofSeconds(10));

    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final Limits limits;
    private final ServerSocketChannel listener;
    private final Selector selector;
    private final Supplier<StatusSnapshot> snapshots;
    private final Metrics metrics;
    private final Thread thread;
    private final ExecutorService renderer;
    /** Accept order, oldest first; only the selector thread touches it. */
    private final LinkedHashSet<Connection> connections = new LinkedHashSet<>();
    /** Rendered answers handed back to the selector thread. */
    private final Queue<Runnable> done = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private volatile int open;

    /** One client: what it sent so far, what it is sent, and until when it may take. */
    private static final class Connection {
        final SocketChannel channel;
        final SelectionKey key;
        final ByteBuffer in;
        ByteBuffer out;
        long deadlineNanos;
        boolean answered;

        Connection(SocketChannel channel, SelectionKey key, int maxRequestBytes, long deadlineNanos) {
            this.in = ByteBuffer.allocate(maxRequestBytes);
            this.channel = channel;
            this.key = key;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private StatusServer(ServerSocketChannel listener, Selector selector, Supplier<StatusSnapshot> snapshots, Metrics metrics,
                         Limits limits) {
        this.limits = limits;
        this.listener = listener;
        this.selector = selector;
        this.snapshots = snapshots;
        this.metrics = metrics;
        this.renderer = Executors.newSingleThreadExecutor(r -> daemon(r, "rhid-status-render"));
        this.thread = daemon(this::serve, "rhid-status");
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Binds {@code status.host:status.port} (only that address; the config refuses a non-loopback
     * one unless {@code allow_remote}) and starts serving.
     *
     * @throws IOException naming the address when it cannot be bound (in use, not local)
     */
    public static StatusServer start(RhidConfig.Status config, Supplier<StatusSnapshot> snapshots, Metrics metrics)
            throws IOException {
        return start(config, snapshots, metrics, DEFAULT);
    }

    static StatusServer start(RhidConfig.Status config, Supplier<StatusSnapshot> snapshots, Metrics metrics, Limits limits)
            throws IOException {
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(metrics, "metrics");
        // An IP literal or "localhost" (all the config allows): no DNS lookup.
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(config.host()), config.port());
        ServerSocketChannel listener = ServerSocketChannel.open();
        Selector selector;
        try {
            listener.bind(address, 128);
            listener.configureBlocking(false);
            selector = Selector.open();
            listener.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            listener.close();
            throw new IOException("status.listen " + config.listen() + ": cannot listen: " + e.getMessage(), e);
        }
        StatusServer s = new StatusServer(listener, selector, snapshots, metrics, limits);
        s.thread.start();
        log.info("status: listening on http://{}/ (/status, /metrics, /healthz)",
                new RhidConfig.Status(config.host(), s.address().getPort(), config.allowRemote()).listen());
        return s;
    }

    /** The bound address (with the actual port when the config asked for port 0). */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("status server closed", e);
        }
    }

    /** How many client connections are open now; for tests. */
    int openConnections() {
        return open;
    }

    /** Stops accepting, closes every connection and ends both threads. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        renderer.shutdownNow();
    }

    private void serve() {
        try {
            while (!closed) {
                selector.select(sweepWait());
                Runnable r;
                while ((r = done.poll()) != null) {
                    r.run();
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.attachment() instanceof Connection c) {
                        handle(c, key);
                    }
                }
                expire();
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.error("status: server stopped: {}", e.toString(), e);
            }
        } finally {
            for (Connection c : new ArrayList<>(connections)) {
                drop(c);
            }
            try {
                selector.close();
                listener.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** Milliseconds until the nearest deadline (at least 1, at most 1 s); connections are few. */
    private long sweepWait() {
        long now = System.nanoTime();
        long next = now + 1_000_000_000L;
        for (Connection c : connections) {
            next = Math.min(next, c.deadlineNanos);
        }
        return Math.max(1, (next - now) / 1_000_000 + 1);
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = listener.accept()) != null) {
            if (connections.size() >= limits.maxConnections()) {
                // The oldest is the likeliest to be stalled on purpose: a new client always gets in.
                drop(connections.iterator().next());
            }
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
                Connection c = new Connection(ch, key, limits.maxRequestBytes(), System.nanoTime() + limits.requestTimeout().toNanos());
                key.attach(c);
                connections.add(c);
                open = connections.size();
            } catch (IOException e) {
                ch.close();
            }
        }
    }

    private void handle(Connection c, SelectionKey key) {
        try {
            if (key.isReadable() && !c.answered) {
                read(c);
            } else if (key.isWritable() && c.out != null) {
                c.channel.write(c.out);
                if (!c.out.hasRemaining()) {
                    drop(c);
                }
            } else if (key.isReadable()) {
                // Bytes after the request (or its end) while the answer is rendered: not needed.
                c.in.clear();
                if (c.channel.read(c.in) < 0) {
                    drop(c);
                }
                c.in.clear();
            }
        } catch (IOException e) {
            drop(c);
        } catch (RuntimeException e) {
            // A bug must cost this client its answer, not every client the server.
            log.error("status: failed to serve a client", e);
            drop(c);
        }
    }

    private void read(Connection c) throws IOException {
        int n = c.channel.read(c.in);
        int end = headEnd(c.in);
        if (end < 0) {
            if (n < 0) {
                drop(c); // closed before the request was complete
            } else if (!c.in.hasRemaining()) {
                answer(c, response(431, TEXT, "request head larger than " + limits.maxRequestBytes() + " bytes\n", false, null));
            }
            return;
        }
        c.answered = true;
        c.deadlineNanos = System.nanoTime() + limits.responseTimeout().toNanos();
        String head = new String(c.in.array(), 0, end, StandardCharsets.ISO_8859_1);
        String line = head.lines().findFirst().orElse("");
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            answer(c, response(400, TEXT, "bad request line\n", false, null));
            return;
        }
        String method = parts[0];
        int q = parts[1].indexOf('?');
        String path = q < 0 ? parts[1] : parts[1].substring(0, q);
        boolean head0 = method.equals("HEAD");
        if (!path.equals("/status") && !path.equals("/metrics") && !path.equals("/healthz")) {
            answer(c, response(404, TEXT, "not found: " + printable(path) + " (try /status, /metrics or /healthz)\n", head0, null));
        } else if (!method.equals("GET") && !head0) {
            answer(c, response(405, TEXT, "method " + printable(method) + " not allowed: this server is read-only (GET, HEAD)\n",
                    false, "Allow: GET, HEAD"));
        } else if (path.equals("/healthz")) {
            answer(c, render(path, head0)); // cheap: answered here, never queued behind a render
        } else {
            c.key.interestOps(SelectionKey.OP_READ);
            try {
                renderer.execute(() -> {
                    ByteBuffer out = render(path, head0);
                    done.add(() -> answer(c, out));
                    selector.wakeup();
                });
            } catch (RejectedExecutionException stopping) {
                drop(c);
            }
        }
    }

    /** The answer to a valid GET or HEAD of one of the three paths. */
    private ByteBuffer render(String path, boolean head) {
        StatusSnapshot snapshot;
        try {
            snapshot = snapshots.get();
        } catch (RuntimeException e) {
            log.warn("status: cannot produce a snapshot for {}", path, e);
            return response(503, TEXT, "unavailable: " + e + "\n", head, null);
        }
        try {
            return switch (path) {
                case "/status" -> response(200, JSON, json(snapshot) + "\n", head, null);
                case "/metrics" -> response(200, PrometheusText.CONTENT_TYPE, PrometheusText.scrape(snapshot, metrics), head, null);
                default -> response(200, TEXT, "ok\n", head, null);
            };
        } catch (RuntimeException e) {
            log.error("status: failed to answer {}", path, e);
            return response(500, TEXT, "internal error: " + e + "\n", head, null);
        }
    }

    private void answer(Connection c, ByteBuffer out) {
        if (!c.channel.isOpen()) {
            return; // dropped (timeout, eviction, client gone) while its answer was rendered
        }
        c.answered = true;
        c.out = out;
        c.deadlineNanos = System.nanoTime() + limits.responseTimeout().toNanos();
        c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    private void expire() {
        long now = System.nanoTime();
        List<Connection> late = new ArrayList<>();
        for (Connection c : connections) {
            if (now - c.deadlineNanos >= 0) {
                late.add(c);
            }
        }
        late.forEach(this::drop);
    }

    private void drop(Connection c) {
        connections.remove(c);
        open = connections.size();
        c.key.cancel();
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** Index just past the blank line ending the request head, or -1 while it is incomplete. */
    private static int headEnd(ByteBuffer in) {
        byte[] b = in.array();
        int n = in.position();
        for (int i = 0; i + 1 < n; i++) {
            if (b[i] == '\n' && b[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 3 < n && b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    private static String printable(String s) {
        String cut = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return cut.replaceAll("[^\\x21-\\x7e]", "?");
    }

    private static String json(StatusSnapshot snapshot) {
        try {
            return StatusJson.mapper().writeValueAsString(snapshot);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the status snapshot", e);
        }
    }

    private static ByteBuffer response(int code, String contentType, String body, boolean head, String extraHeader) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder("HTTP/1.1 ").append(code).append(' ').append(reason(code)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(bytes.length).append("\r\n")
                .append("Cache-Control: no-store\r\n")
                .append("Connection: close\r\n");
        if (extraHeader != null) {
            h.append(extraHeader).append("\r\n");
        }
        h.append("\r\n");
        byte[] headBytes = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(headBytes.length + (head ? 0 : bytes.length));
        out.put(headBytes);
        if (!head) {
            out.put(bytes);
        }
        return out.flip();
    }

    private static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }
}
