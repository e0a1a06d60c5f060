package io.rhid.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The watch against real loopback sockets: a close, a reset and a refusal are reported, and
 * reconnects back off. Every wait is for an event (an accept, a report) with a generous bound.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConnectionWatchTest {

    static final int BOUND_MS = 10_000;
    static final long MS = 1_000_000;

    final BlockingQueue<String> lost = new LinkedBlockingQueue<>();
    final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    ConnectionWatch watch(ReconnectBackoff backoff) {
        ConnectionWatch w = new ConnectionWatch(lost::add, backoff);
        resources.add(0, w);
        return w;
    }

    ServerSocket server() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        s.setSoTimeout(BOUND_MS);
        resources.add(s);
        return s;
    }

    static InetSocketAddress addressOf(ServerSocket s) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }

    @Test
    void reports_the_server_closing_its_end_within_bounds() throws Exception {
        ServerSocket server = server();
        watch(ReconnectBackoff.DEFAULT).add("tcp a", addressOf(server));
        Socket accepted = server.accept();
        long closed = System.nanoTime();
        accepted.close();

        assertThat(lost.poll(BOUND_MS, TimeUnit.MILLISECONDS)).isEqualTo("tcp a");
        long took = System.nanoTime() - closed;
        assertThat(took).as("report %d ms after the close", took / MS).isLessThan(2_000 * MS);
    }

    @Test
    void reports_a_reset_and_connects_again() throws Exception {
        ServerSocket server = server();
        watch(ReconnectBackoff.DEFAULT).add("tcp a", addressOf(server));
        Socket accepted = server.accept();
        accepted.setSoLinger(true, 0); // close sends a RST
        accepted.close();

        assertThat(lost.poll(BOUND_MS, TimeUnit.MILLISECONDS)).isEqualTo("tcp a");
        try (Socket again = server.accept()) {
            assertThat(again.isConnected()).isTrue();
        }
    }

    @Test
    void reports_a_refused_connection() throws Exception {
        ServerSocket gone = server();
        InetSocketAddress address = addressOf(gone);
        gone.close();
        watch(ReconnectBackoff.DEFAULT).add("tcp gone", address);

        assertThat(lost.poll(BOUND_MS, TimeUnit.MILLISECONDS)).isEqualTo("tcp gone");
    }

    @Test
    void reports_each_endpoint_by_its_own_name() throws Exception {
        ServerSocket a = server();
        ServerSocket b = server();
        ConnectionWatch w = watch(ReconnectBackoff.DEFAULT);
        w.add("tcp a", addressOf(a));
        w.add("tcp b", addressOf(b));
        Socket fromA = a.accept();
        try (Socket fromB = b.accept()) {
            fromA.close();
            assertThat(lost.poll(BOUND_MS, TimeUnit.MILLISECONDS)).isEqualTo("tcp a");
            assertThat(fromB.isClosed()).isFalse();
        }
    }

    @Test
    void closes_the_connection_when_its_last_check_is_removed() throws Exception {
        ServerSocket server = server();
        ConnectionWatch w = watch(ReconnectBackoff.DEFAULT);
        w.add("tcp a", addressOf(server));
        w.add("tcp a", addressOf(server));
        try (Socket accepted = server.accept()) {
            accepted.setSoTimeout(BOUND_MS);
            w.remove("tcp a");
            w.remove("tcp a");
            assertThat(accepted.getInputStream().read()).as("EOF from rhid's side").isEqualTo(-1);
        }
    }

    @Test
    void backs_off_when_the_server_closes_every_connection_at_once() throws Exception {
        ServerSocket server = server();
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(160), Duration.ofHours(1));
        watch(backoff).add("tcp a", addressOf(server));
        List<Long> accepts = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Socket s = server.accept();
            accepts.add(System.nanoTime());
            s.close();
        }
        List<Long> gapsMs = new ArrayList<>();
        for (int i = 1; i < accepts.size(); i++) {
            gapsMs.add((accepts.get(i) - accepts.get(i - 1)) / MS);
        }
        // The attempt after the n-th close waits 20ms x 2^(n-1), capped at 160ms: never sooner.
        long[] least = {20, 40, 80, 160, 160, 160};
        for (int i = 0; i < least.length; i++) {
            assertThat(gapsMs.get(i)).as("gap %d of %s", i, gapsMs).isGreaterThanOrEqualTo(least[i]);
        }
        // Each close was reported before the next connection was made: only the first was news.
        assertThat(lost).containsExactly("tcp a");
    }
}
