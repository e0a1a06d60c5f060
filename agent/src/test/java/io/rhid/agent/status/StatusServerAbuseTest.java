package io.rhid.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.testing.Snapshots;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * What any local user can do to the status server, with real sockets: hold connections open
 * half-sent, send and vanish, send too much. It must keep answering and hold no more than bounded.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StatusServerAbuseTest {

    static final RhidConfig.Status LOOPBACK = new RhidConfig.Status("127.0.0.1", 0, false);
    /** Generous for a machine whose cores are busy with other builds; measured figures are printed. */
    /** Far below the held requests' timeouts, loose enough for a machine whose cores are saturated. */
    static final Duration HEALTHZ_BOUND = Duration.ofSeconds(3);

    final List<Socket> clients = new ArrayList<>();
    StatusServer server;

    @AfterEach
    void close() {
        clients.forEach(StatusServerAbuseTest::closeQuietly);
        if (server != null) {
            server.close();
        }
    }

    StatusServer start(StatusServer.Limits limits) throws IOException {
        server = StatusServer.start(LOOPBACK, Snapshots::sample, Snapshots.sampleMetrics(), limits);
        return server;
    }

    @Test
    void answers_healthz_while_500_half_sent_requests_are_held_and_frees_every_fd_once_they_close() throws Exception {
        start(StatusServer.DEFAULT);
        healthz(); // warm up: classes loaded, so the baseline counts what the server keeps
        long fdsBefore = openFds();

        for (int i = 0; i < 500; i++) {
            // Half of them stop inside the request line, half after one header: both used to hold
            // a worker thread each until the client went away.
            clients.add(connect(i % 2 == 0 ? "GET /sta" : "GET /status HTTP/1.1\r\nHost: x\r\n"));
        }
        await(() -> server.openConnections() >= 500, "the server holds the 500 connections");

        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long start = System.nanoTime();
            assertThat(healthz()).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\nok\n");
            millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        Collections.sort(millis);
        System.out.printf("healthz with 500 held connections: median %d ms, max %d ms%n", millis.get(10), millis.get(19));
        assertThat(millis.get(19)).as("slowest /healthz in ms").isLessThan(HEALTHZ_BOUND.toMillis());
        assertThat(server.openConnections()).as("still held while measuring").isGreaterThanOrEqualTo(500);

        clients.forEach(StatusServerAbuseTest::closeQuietly);
        await(() -> server.openConnections() == 0, "the server closes its side of every closed connection");
        await(() -> openFds() <= fdsBefore, "the process's open descriptors are back to where they were");
    }

    @Test
    void frees_connections_that_send_a_request_line_and_a_header_then_close() throws Exception {
        start(StatusServer.DEFAULT);
        healthz();
        long fdsBefore = openFds();
        for (int round = 0; round < 5; round++) {
            List<Socket> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                batch.add(connect("GET /status HTTP/1.1\r\nHost: x\r\n"));
            }
            batch.forEach(StatusServerAbuseTest::closeQuietly);
        }
        await(() -> server.openConnections() == 0, "every abandoned connection closed");
        await(() -> openFds() <= fdsBefore, "no descriptor left behind by 1,000 abandoned requests");
        assertThat(healthz()).startsWith("HTTP/1.1 200 ");
    }

    @Test
    void closes_a_connection_that_does_not_finish_its_request_in_time() throws Exception {
        start(new StatusServer.Limits(16, 8192, Duration.ofMillis(200), Duration.ofSeconds(10)));
        Socket slow = connect("GET /status HTTP/1.1\r\n");
        slow.setSoTimeout(10_000);
        long start = System.nanoTime();
        assertThat(slow.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        await(() -> server.openConnections() == 0, "nothing held");
    }

    @Test
    void lets_a_new_client_in_when_full_by_closing_the_oldest_connection() throws Exception {
        start(new StatusServer.Limits(4, 8192, Duration.ofSeconds(30), Duration.ofSeconds(30)));
        Socket oldest = connect("GET /sta");
        for (int i = 0; i < 3; i++) {
            clients.add(connect("GET /sta"));
        }
        await(() -> server.openConnections() == 4, "four held");
        assertThat(healthz()).startsWith("HTTP/1.1 200 ");
        oldest.setSoTimeout(10_000);
        assertThat(oldest.getInputStream().read()).as("the oldest was closed to make room").isEqualTo(-1);
        assertThat(server.openConnections()).isLessThanOrEqualTo(4);
    }

    @Test
    void refuses_a_request_head_larger_than_the_limit() throws Exception {
        start(new StatusServer.Limits(16, 1024, Duration.ofSeconds(10), Duration.ofSeconds(10)));
        Socket big = connect("GET /status HTTP/1.1\r\nX-Fill: " + "a".repeat(2000) + "\r\n\r\n");
        assertThat(readAll(big)).startsWith("HTTP/1.1 431 ");
    }

    @Test
    void holds_no_thread_per_stalled_client() throws Exception {
        start(StatusServer.DEFAULT);
        healthz();
        int threadsBefore = Thread.activeCount();
        for (int i = 0; i < 100; i++) {
            clients.add(connect("GET /sta"));
        }
        await(() -> server.openConnections() >= 100, "100 held");
        assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore + 2);
    }

    private Socket connect(String send) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 10_000);
        OutputStream out = s.getOutputStream();
        out.write(send.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return s;
    }

    private String healthz() throws IOException {
        try (Socket s = connect("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
            return readAll(s);
        }
    }

    private static String readAll(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        try (InputStream in = s.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within 10 s", e);
        }
    }

    private static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
