package io.rhid.checks.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rhid.checks.FakeSpecReader;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * A plain tcp check against a real listener in this JVM that stops accepting: the kernel still
 * completes every handshake, so only its accept queue tells. Time between runs is a fake clock
 * (the interval); the sockets and the kernel's tables are real.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HungListenerTest {

    static final Duration TIMEOUT = Duration.ofMillis(300);
    static final long INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

    ServerSocket listener;
    long now = 0;
    final Semaphore accepted = new Semaphore(0);
    Thread acceptor;

    @BeforeEach
    void listen() throws IOException {
        assumeTrue(Files.isReadable(ListenQueues.TCP6) || Files.isReadable(ListenQueues.TCP), "needs Linux's /proc/net/tcp");
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    }

    @AfterEach
    void close() throws IOException {
        if (listener != null) {
            listener.close();
        }
        if (acceptor != null) {
            acceptor.interrupt();
        }
    }

    /**
     * Accepts (and closes) {@code count} connections, then stops calling accept, as a server whose
     * accept loop hangs. Counting, not a flag the test flips, keeps the hang at a known connection
     * however the two threads are scheduled.
     */
    void startAccepting(int count) {
        acceptor = new Thread(() -> {
            for (int i = 0; i < count && !listener.isClosed(); i++) {
                try (Socket s = listener.accept()) {
                    accepted.release();
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    TcpProbe probe() {
        FakeSpecReader reader = FakeSpecReader.of("address", "127.0.0.1:" + listener.getLocalPort());
        return new TcpProbe((TcpProbeSpec) new TcpProbeProvider().parse(reader), new ProbeContext("test/tcp", TIMEOUT),
                () -> now);
    }

    @Test
    void fails_a_plain_tcp_check_of_a_listener_that_never_accepts_on_the_second_run() {
        TcpProbe probe = probe();
        assertThat(probe.run()).as("the handshake completes: nothing to see yet").isEqualTo(ProbeResult.pass());
        now += INTERVAL_NANOS;
        assertThat(probe.run()).isEqualTo(ProbeResult.failure("listener not accepting: 1 connection queued"));
        now += INTERVAL_NANOS;
        assertThat(probe.run()).as("and keeps failing without adding to the queue")
                .isEqualTo(ProbeResult.failure("listener not accepting: 1 connection queued"));
    }

    @Test
    void waits_for_the_timeout_before_calling_a_queued_connection_evidence() {
        TcpProbe probe = probe();
        assertThat(probe.run()).isEqualTo(ProbeResult.pass());
        now += TIMEOUT.toNanos() / 10; // a fast re-run
        assertThat(probe.run()).isEqualTo(ProbeResult.pass());
        now += TIMEOUT.toNanos();
        assertThat(probe.run()).isEqualTo(ProbeResult.failure("listener not accepting: 2 connections queued"));
    }

    @Test
    void passes_again_once_the_listener_accepts_what_queued() throws InterruptedException {
        TcpProbe probe = probe();
        probe.run();
        now += INTERVAL_NANOS;
        assertThat(probe.run().passed()).isFalse();

        startAccepting(1);
        assertThat(accepted.tryAcquire(1, 10, TimeUnit.SECONDS)).as("the queued connection accepted").isTrue();
        now += INTERVAL_NANOS;
        assertThat(probe.run()).isEqualTo(ProbeResult.pass());
    }

    @Test
    void never_fails_a_listener_that_accepts() throws InterruptedException {
        startAccepting(30);
        TcpProbe probe = probe();
        for (int i = 1; i <= 30; i++) {
            assertThat(probe.run()).as("run %d", i).isEqualTo(ProbeResult.pass());
            // The server accepts within the interval, as a healthy one does; await that, then move on.
            assertThat(accepted.tryAcquire(1, 10, TimeUnit.SECONDS)).as("run %d's connection accepted", i).isTrue();
            now += INTERVAL_NANOS;
        }
    }

    @Test
    void fails_within_two_intervals_of_a_listener_that_stops_accepting() throws InterruptedException {
        startAccepting(2); // the server hangs after its second connection
        TcpProbe probe = probe();
        assertThat(probe.run()).isEqualTo(ProbeResult.pass());
        assertThat(accepted.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
        now += INTERVAL_NANOS;
        assertThat(probe.run()).as("the connection that ends the accept loop").isEqualTo(ProbeResult.pass());
        assertThat(accepted.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
        now += INTERVAL_NANOS;
        assertThat(probe.run()).as("first run after the hang").isEqualTo(ProbeResult.pass());
        now += INTERVAL_NANOS;
        assertThat(probe.run()).as("second run after the hang")
                .isEqualTo(ProbeResult.failure("listener not accepting: 1 connection queued"));
    }
}
