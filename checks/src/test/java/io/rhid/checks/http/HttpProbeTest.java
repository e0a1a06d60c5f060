package io.rhid.checks.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.FakeSpecReader;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HttpProbeTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    /** Generous for a shared 2-core machine; the point is "about the timeout", not "forever". */
    /** Beyond the timeout; the lower bound is the point, this one holds with both cores saturated. */
    private static final long SLACK_MILLIS = 3000;

    private static final HttpProbeProvider provider = new HttpProbeProvider();

    private final MockWebServer server = new MockWebServer();

    /** As the agent does before creating probes: the timeouts below are about the exchange only. */
    @BeforeAll
    static void warmUp() {
        provider.warmUp(List.of(provider.parse(FakeSpecReader.of("url", "https://127.0.0.1/"))));
    }

    @BeforeEach
    void start() throws IOException {
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void passes_with_status_when_server_answers_200() {
        server.enqueue(new MockResponse.Builder().code(200).body("ok").build());

        assertThat(run("url", url("/healthz"))).isEqualTo(ProbeResult.pass("status 200"));
    }

    @Test
    void fails_with_status_when_server_answers_503() {
        server.enqueue(new MockResponse.Builder().code(503).body("down").build());

        assertThat(run("url", url("/healthz"))).isEqualTo(ProbeResult.failure("status 503"));
    }

    @Test
    void judges_the_status_by_expect_status() {
        server.enqueue(new MockResponse.Builder().code(503).build());
        server.enqueue(new MockResponse.Builder().code(200).build());

        Probe probe = probe("url", url("/"), "expect_status", List.of("5xx"));

        assertThat(probe.run()).isEqualTo(ProbeResult.pass("status 503"));
        assertThat(probe.run()).isEqualTo(ProbeResult.failure("status 200"));
    }

    @Test
    void passes_when_the_body_matches() {
        server.enqueue(new MockResponse.Builder().body("{\"status\": \"ok\"}").build());

        assertThat(run("url", url("/"), "body", "\"status\":\\s*\"ok\"").passed()).isTrue();
    }

    @Test
    void fails_when_the_body_does_not_match() {
        server.enqueue(new MockResponse.Builder().body("{\"status\": \"starting\"}").build());

        assertThat(run("url", url("/"), "body", "ok")).isEqualTo(ProbeResult.failure("body does not match /ok/"));
    }

    @Test
    void matches_only_the_first_64_KiB_of_the_body() {
        server.enqueue(new MockResponse.Builder().body("x".repeat((int) HttpProbe.BODY_LIMIT) + "ok").build());

        assertThat(run("url", url("/"), "body", "ok")).isEqualTo(ProbeResult.failure("body does not match /ok/"));
    }

    @Test
    void sends_the_method_and_headers() throws InterruptedException {
        server.enqueue(new MockResponse.Builder().build());

        run("url", url("/ready"), "method", "POST", "headers", Map.of("Host", "api.example", "X-Probe", "rhid"));

        RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getTarget()).isEqualTo("/ready");
        assertThat(request.getHeaders().get("Host")).isEqualTo("api.example");
        assertThat(request.getHeaders().get("X-Probe")).isEqualTo("rhid");
    }

    @Test
    void judges_a_redirect_unless_told_to_follow_it() {
        MockResponse redirect = new MockResponse.Builder().code(302).setHeader("Location", url("/elsewhere")).build();
        server.enqueue(redirect);
        server.enqueue(redirect);
        server.enqueue(new MockResponse.Builder().code(200).build());

        assertThat(run("url", url("/"))).isEqualTo(ProbeResult.failure("status 302"));
        assertThat(run("url", url("/"), "follow_redirects", true)).isEqualTo(ProbeResult.pass("status 200"));
    }

    @Test
    void fails_with_connect_refused_on_a_closed_port() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }

        assertThat(run("url", "http://127.0.0.1:" + port + "/")).isEqualTo(ProbeResult.failure("connect refused"));
    }

    @Test
    void times_out_within_budget_when_the_server_never_answers() {
        server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());

        long start = System.nanoTime();
        ProbeResult result = run("url", url("/"));

        assertThat(result).isEqualTo(ProbeResult.failure("timeout after 500ms"));
        assertThat(elapsedMillis(start)).isBetween(TIMEOUT.toMillis() - 50, TIMEOUT.toMillis() + SLACK_MILLIS);
    }

    @Test
    void times_out_within_budget_when_the_body_stalls() {
        server.enqueue(new MockResponse.Builder().body("x".repeat(100)).onResponseBody(SocketEffect.Stall.INSTANCE).build());

        long start = System.nanoTime();
        ProbeResult result = run("url", url("/"));

        assertThat(result).isEqualTo(ProbeResult.failure("timeout after 500ms"));
        assertThat(elapsedMillis(start)).isLessThan(TIMEOUT.toMillis() + SLACK_MILLIS);
    }

    @Test
    void fails_when_the_server_disconnects_at_start_and_does_not_retry() {
        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        server.enqueue(new MockResponse.Builder().code(204).build());
        Probe probe = probe("url", url("/"));

        assertThat(probe.run()).isEqualTo(ProbeResult.failure("unexpected end of stream"));
        // The second response is still queued: the failed run made one attempt only.
        assertThat(probe.run()).isEqualTo(ProbeResult.pass("status 204"));
    }

    @Test
    void reuses_the_kept_alive_connection() throws InterruptedException {
        server.enqueue(new MockResponse.Builder().body("one").build());
        server.enqueue(new MockResponse.Builder().body("two").build());
        Probe probe = probe("url", url("/"));

        assertThat(probe.run().passed()).isTrue();
        assertThat(probe.run().passed()).isTrue();

        RecordedRequest first = server.takeRequest(1, TimeUnit.SECONDS);
        RecordedRequest second = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(second.getConnectionIndex()).isEqualTo(first.getConnectionIndex());
        assertThat(second.getExchangeIndex()).isEqualTo(first.getExchangeIndex() + 1);
    }

    @Test
    void retries_once_on_a_new_connection_when_the_server_closed_the_idle_one() throws InterruptedException {
        server.enqueue(new MockResponse.Builder().body("one").onResponseEnd(new SocketEffect.CloseSocket()).build());
        server.enqueue(new MockResponse.Builder().body("two").build());
        Probe probe = probe("url", url("/"));

        assertThat(probe.run().passed()).isTrue();
        assertThat(probe.run()).isEqualTo(ProbeResult.pass("status 200"));

        RecordedRequest first = server.takeRequest(1, TimeUnit.SECONDS);
        RecordedRequest second = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(second.getConnectionIndex()).isNotEqualTo(first.getConnectionIndex());
    }

    @Test
    void passes_every_run_against_an_http_1_0_server_that_closes_after_each_response() throws Exception {
        try (RawServer http10 = new RawServer("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false)) {
            List<Probe> probes = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                probes.add(probe("url", http10.url()));
            }
            // Interleaved, as fifty checks of one server run: each probe finds the connections
            // the others left in the pool, all closed by the server.
            for (int round = 0; round < 10; round++) {
                for (Probe p : probes) {
                    assertThat(p.run()).as("round %d", round).isEqualTo(ProbeResult.pass("status 200"));
                }
            }
            // Once the server has answered HTTP/1.0 without keep-alive, requests say close.
            assertThat(http10.requests.get(http10.requests.size() - 1)).containsIgnoringCase("Connection: close");
        }
    }

    @Test
    void keeps_using_the_pool_for_an_http_1_0_server_that_offers_keep_alive() throws Exception {
        try (RawServer http10 = new RawServer(
                "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok", true)) {
            Probe probe = probe("url", http10.url());
            for (int i = 0; i < 3; i++) {
                assertThat(probe.run()).isEqualTo(ProbeResult.pass("status 200"));
            }
            assertThat(http10.connections.get()).isEqualTo(1);
            assertThat(http10.requests).noneMatch(r -> r.toLowerCase(java.util.Locale.ROOT).contains("connection: close"));
        }
    }

    @Test
    void opens_a_new_connection_after_the_server_said_close() throws InterruptedException {
        server.enqueue(new MockResponse.Builder().body("one").setHeader("Connection", "close").build());
        server.enqueue(new MockResponse.Builder().body("two").build());
        Probe probe = probe("url", url("/"));

        assertThat(probe.run()).isEqualTo(ProbeResult.pass("status 200"));
        assertThat(probe.run()).isEqualTo(ProbeResult.pass("status 200"));

        RecordedRequest first = server.takeRequest(1, TimeUnit.SECONDS);
        RecordedRequest second = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(second.getConnectionIndex()).isNotEqualTo(first.getConnectionIndex());
    }

    @Test
    void bounds_the_probes_in_flight_against_one_server() throws Exception {
        int probes = HttpClients.MAX_IN_FLIGHT_PER_SERVER + 4;
        List<Thread> threads = new ArrayList<>();
        List<ProbeResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
        try (RawServer stalled = new RawServer(null, true)) {
            for (int i = 0; i < probes; i++) {
                FakeSpecReader reader = FakeSpecReader.of("url", stalled.url() + "p" + i);
                // Long enough that no permit comes free while the test looks.
                Probe probe = provider.create(provider.parse(reader), new ProbeContext("test/http", Duration.ofSeconds(20)));
                Thread t = new Thread(() -> results.add(probe.run()));
                threads.add(t);
                t.start();
            }
            assertThat(stalled.accepted.tryAcquire(HttpClients.MAX_IN_FLIGHT_PER_SERVER, 10, TimeUnit.SECONDS))
                    .as("the first probes connected").isTrue();
            // A further connection needs a permit, and none comes free before a probe ends.
            assertThat(stalled.accepted.tryAcquire(1, 300, TimeUnit.MILLISECONDS)).isFalse();
            assertThat(stalled.connections.get()).isEqualTo(HttpClients.MAX_IN_FLIGHT_PER_SERVER);
        }
        // Closing the server ends the stalled exchanges, and then the waiting probes' turns.
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertThat(results).hasSize(probes).noneMatch(ProbeResult::passed);
    }

    @Test
    void stops_reading_an_endless_body_at_the_limit() throws Exception {
        AtomicLong written = new AtomicLong();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Thread endless = new Thread(() -> {
                try (Socket socket = listener.accept(); OutputStream out = socket.getOutputStream()) {
                    out.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                    byte[] chunk = new byte[8192];
                    while (true) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // the probe hung up, as it should
                }
            });
            endless.start();

            long start = System.nanoTime();
            ProbeResult result = run("url", "http://127.0.0.1:" + listener.getLocalPort() + "/", "body", "^ok");

            assertThat(result).isEqualTo(ProbeResult.pass("status 200"));
            assertThat(elapsedMillis(start)).isLessThan(TIMEOUT.toMillis());
            endless.join(2000);
            assertThat(endless.isAlive()).isFalse();
            // What the server got out before the reset: the probe's 64 KiB plus socket buffers.
            assertThat(written.get()).isLessThan(64L * 1024 * 1024);
        }
    }

    @Test
    void fails_on_a_self_signed_certificate_when_verifying() {
        useSelfSignedTls();
        server.enqueue(new MockResponse.Builder().build());

        ProbeResult result = run("url", httpsUrl());

        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).startsWith("tls: ").contains("certification path");
    }

    @Test
    void accepts_a_self_signed_certificate_without_verification() {
        useSelfSignedTls();
        server.enqueue(new MockResponse.Builder().build());

        // A budget for a handshake that must succeed, not a claim about its speed: a TLS handshake
        // on a machine whose cores are saturated can take longer than the 500ms the timeout tests use.
        FakeSpecReader reader = FakeSpecReader.of("url", httpsUrl(), "tls_verify", false);
        HttpProbeSpec spec = (HttpProbeSpec) provider.parse(reader);
        try (Probe probe = provider.create(spec, new ProbeContext("test/https", Duration.ofSeconds(10)))) {
            assertThat(probe.run()).isEqualTo(ProbeResult.pass("status 200"));
        }
    }

    /**
     * A loopback HTTP server written against sockets: answers every request with {@code response}
     * (never, when null), then keeps the connection open or closes it; records request heads,
     * connections and connections open.
     */
    static final class RawServer implements AutoCloseable {
        final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
        final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.Semaphore accepted = new java.util.concurrent.Semaphore(0);
        private final ServerSocket listener;
        private final List<Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());

        RawServer(String response, boolean keepOpen) throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket socket = listener.accept();
                        synchronized (sockets) {
                            // close() may have run since accept() returned: then it did not see this one.
                            if (listener.isClosed()) {
                                socket.close();
                                return;
                            }
                            sockets.add(socket);
                        }
                        connections.incrementAndGet();
                        accepted.release();
                        open.incrementAndGet();
                        Thread t = new Thread(() -> serve(socket, response, keepOpen));
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + listener.getLocalPort() + "/";
        }

        private void serve(Socket socket, String response, boolean keepOpen) {
            try (socket) {
                java.io.InputStream in = socket.getInputStream();
                while (true) {
                    StringBuilder head = new StringBuilder();
                    int c;
                    while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
                        head.append((char) c);
                    }
                    if (!head.toString().endsWith("\r\n\r\n")) {
                        return;
                    }
                    requests.add(head.toString());
                    if (response == null) {
                        in.read(); // until the client hangs up
                        return;
                    }
                    socket.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    if (!keepOpen) {
                        return;
                    }
                }
            } catch (IOException e) {
                // the client hung up
            } finally {
                open.decrementAndGet();
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    private void useSelfSignedTls() {
        HeldCertificate certificate = new HeldCertificate.Builder().addSubjectAlternativeName("rhid.test").build();
        HandshakeCertificates server = new HandshakeCertificates.Builder().heldCertificate(certificate).build();
        this.server.useHttps(server.sslSocketFactory());
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    private String httpsUrl() {
        return "https://127.0.0.1:" + server.getPort() + "/";
    }

    private static ProbeResult run(Object... config) {
        return probe(config).run();
    }

    private static Probe probe(Object... config) {
        FakeSpecReader reader = FakeSpecReader.of(config);
        HttpProbeSpec spec = (HttpProbeSpec) provider.parse(reader);
        assertThat(reader.errors()).isEmpty();
        return provider.create(spec, new ProbeContext("test/http", TIMEOUT));
    }

    private static long elapsedMillis(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
