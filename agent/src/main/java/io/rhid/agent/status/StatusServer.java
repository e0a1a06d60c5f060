package io.rhid.agent.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.rhid.agent.config.RhidConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Threading: requests run on a small pool of daemon threads and only read the snapshot
 * supplier and {@link Metrics}, both safe to call from any thread.
 */
public final class StatusServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusServer.class);
    private static final int THREADS = 2;
    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;
    private final Supplier<StatusSnapshot> snapshots;
    private final Metrics metrics;

    private StatusServer(HttpServer server, ExecutorService executor, Supplier<StatusSnapshot> snapshots, Metrics metrics) {
        this.server = server;
        this.executor = executor;
        this.snapshots = snapshots;
        this.metrics = metrics;
    }

    /**
     * Binds {@code status.host:status.port} (only that address; the config refuses a non-loopback
     * one unless {@code allow_remote}) and starts serving.
     *
     * @throws IOException naming the address when it cannot be bound (in use, not local)
     */
    public static StatusServer start(RhidConfig.Status config, Supplier<StatusSnapshot> snapshots, Metrics metrics)
            throws IOException {
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(metrics, "metrics");
        // An IP literal or "localhost" (all the config allows): no DNS lookup.
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(config.host()), config.port());
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("status.listen " + config.listen() + ": cannot listen: " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "rhid-status-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        StatusServer s = new StatusServer(server, executor, snapshots, metrics);
        server.setExecutor(executor);
        server.createContext("/", s::handle);
        // The JDK's dispatcher thread inherits daemon status from the thread that starts it.
        Thread starter = new Thread(server::start, "rhid-status-start");
        starter.setDaemon(true);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            throw new IOException("interrupted while starting the status server", e);
        }
        log.info("status: listening on http://{}/ (/status, /metrics, /healthz)",
                new RhidConfig.Status(config.host(), s.address().getPort(), config.allowRemote()).listen());
        return s;
    }

    /** The bound address (with the actual port when the config asked for port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops accepting and ends the pool; requests in flight are cut off. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) {
        try {
            String path = ex.getRequestURI().getPath();
            if (!path.equals("/status") && !path.equals("/metrics") && !path.equals("/healthz")) {
                send(ex, 404, TEXT, "not found: " + path + " (try /status, /metrics or /healthz)\n");
                return;
            }
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, TEXT, "method " + method + " not allowed: this server is read-only (GET, HEAD)\n");
                return;
            }
            StatusSnapshot snapshot;
            try {
                snapshot = snapshots.get();
            } catch (RuntimeException e) {
                log.warn("status: cannot produce a snapshot for {}", path, e);
                send(ex, 503, TEXT, "unavailable: " + e + "\n");
                return;
            }
            switch (path) {
                case "/status" -> send(ex, 200, JSON, json(snapshot) + "\n");
                case "/metrics" -> send(ex, 200, PrometheusText.CONTENT_TYPE, PrometheusText.scrape(snapshot, metrics));
                default -> send(ex, 200, TEXT, "ok\n");
            }
        } catch (IOException e) {
            log.debug("status: client went away: {}", e.toString());
        } catch (RuntimeException e) {
            log.error("status: failed to answer {}", ex.getRequestURI(), e);
            try {
                send(ex, 500, TEXT, "internal error: " + e + "\n");
            } catch (IOException | RuntimeException ignored) {
                // headers were already sent; closing below ends the response
            }
        } finally {
            ex.close();
        }
    }

    private static String json(StatusSnapshot snapshot) {
        try {
            return StatusJson.mapper().writeValueAsString(snapshot);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the status snapshot", e);
        }
    }

    private static void send(HttpExchange ex, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            ex.sendResponseHeaders(code, -1);
            return;
        }
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
