package io.rhid.checks.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.FakeSpecReader;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TcpProbeTest {

    private static final Duration TIMEOUT = Duration.ofMillis(300);
    /** Beyond the timeout; the lower bound is the point, this one holds with both cores saturated. */
    private static final long SLACK_MILLIS = 3000;

    private final TcpProbeProvider provider = new TcpProbeProvider();
    private ServerSocket listener;

    @BeforeEach
    void listen() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    }

    @AfterEach
    void close() throws IOException {
        listener.close();
    }

    @Test
    void passes_when_the_port_accepts() {
        assertThat(run("address", address())).isEqualTo(ProbeResult.pass());
    }

    @Test
    void fails_with_connect_refused_on_a_closed_port() throws IOException {
        String address = address();
        listener.close();

        assertThat(run("address", address)).isEqualTo(ProbeResult.failure("connect refused"));
    }

    @Test
    void passes_when_the_reply_contains_the_expected_text() {
        serve(socket -> {
            byte[] request = new byte[6];
            new DataInputStream(socket.getInputStream()).readFully(request);
            OutputStream out = socket.getOutputStream();
            // Split across writes, so the match spans two reads.
            out.write(("+PO").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(20);
            out.write(("NG for " + new String(request, StandardCharsets.US_ASCII).strip() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.getInputStream().readAllBytes();
        });

        // A generous timeout: the server thread must be scheduled twice, which a busy host delays.
        assertThat(runWithin(Duration.ofSeconds(5), "address", address(), "send", "PING\r\n", "expect", "+PONG for PING"))
                .isEqualTo(ProbeResult.pass());
    }

    @Test
    void fails_when_the_service_closes_without_the_expected_text() {
        serve(socket -> socket.getOutputStream().write("-ERR\r\n".getBytes(StandardCharsets.US_ASCII)));

        assertThat(run("address", address(), "expect", "+PONG"))
                .isEqualTo(ProbeResult.failure("expected \"+PONG\" not found before connection closed"));
    }

    @Test
    void reads_no_more_than_the_limit_looking_for_the_expected_text() {
        serve(socket -> {
            OutputStream out = socket.getOutputStream();
            out.write(new byte[TcpProbe.READ_LIMIT]);
            out.write("+PONG".getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().readAllBytes();
        });

        assertThat(run("address", address(), "expect", "+PONG"))
                .isEqualTo(ProbeResult.failure("expected \"+PONG\" not found in 64 KiB"));
    }

    @Test
    void times_out_within_budget_when_the_service_accepts_and_never_answers() {
        serve(socket -> socket.getInputStream().readAllBytes());

        long start = System.nanoTime();
        ProbeResult result = run("address", address(), "send", "PING\r\n", "expect", "+PONG");

        assertThat(result).isEqualTo(ProbeResult.failure("timeout after 300ms"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .isBetween(TIMEOUT.toMillis() - 50, TIMEOUT.toMillis() + SLACK_MILLIS);
    }

    private interface Handler {
        void handle(Socket socket) throws Exception;
    }

    /** Serves one connection on a daemon thread, so a stuck handler cannot hold the test run. */
    private void serve(Handler handler) {
        Thread thread = new Thread(() -> {
            try (Socket socket = listener.accept()) {
                handler.handle(socket);
            } catch (Exception e) {
                // the probe hung up
            }
        });
        thread.setDaemon(true);
        thread.start();
    }

    private String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    private ProbeResult run(Object... config) {
        return runWithin(TIMEOUT, config);
    }

    private ProbeResult runWithin(Duration timeout, Object... config) {
        FakeSpecReader reader = FakeSpecReader.of(config);
        TcpProbeSpec spec = (TcpProbeSpec) provider.parse(reader);
        assertThat(reader.errors()).isEmpty();
        return provider.create(spec, new ProbeContext("test/tcp", timeout)).run();
    }
}
