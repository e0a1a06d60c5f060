package io.rhid.agent.router.bird;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.router.CommandResult;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BIRD's control protocol against a scripted server on a real Unix socket (BirdIT uses real BIRD). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BirdSocketTest {

    @TempDir
    Path dir;

    ServerSocketChannel server;
    final CompletableFuture<String> received = new CompletableFuture<>();

    /** Accepts one connection, greets, reads one command, answers {@code reply} and closes. */
    Path serve(String greeting, String reply, boolean close) throws IOException {
        Path socket = dir.resolve("bird.ctl");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(() -> {
            try (SocketChannel c = server.accept()) {
                c.write(ByteBuffer.wrap(greeting.getBytes(StandardCharsets.UTF_8)));
                ByteBuffer in = ByteBuffer.allocate(1024);
                StringBuilder command = new StringBuilder();
                while (command.indexOf("\n") < 0 && c.read(in) > 0) {
                    in.flip();
                    command.append(StandardCharsets.UTF_8.decode(in));
                    in.clear();
                }
                received.complete(command.toString());
                c.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
                if (!close) {
                    Thread.sleep(2000);
                }
            } catch (IOException | InterruptedException e) {
                received.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return socket;
    }

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void sends_the_command_and_returns_the_reply_as_birdc_prints_it() throws Exception {
        Path socket = serve("0001 BIRD 2.0.12 ready.\n",
                "0002-Reading configuration from /etc/bird/bird.conf\n0003 Reconfigured\n", true);
        CommandResult r = BirdSocket.run(socket, "configure", Duration.ofSeconds(2));
        assertThat(received.get(2, TimeUnit.SECONDS)).isEqualTo("configure\n");
        assertThat(r.exitCode()).isZero();
        assertThat(r.output()).isEqualTo("Reading configuration from /etc/bird/bird.conf\nReconfigured\n");
        assertThat(BirdApplier.reconfigured(r.output())).isTrue();
    }

    @Test
    void exits_1_on_an_error_code() throws Exception {
        Path socket = serve("0001 BIRD 2.0.12 ready.\n",
                "0002-Reading configuration from /etc/bird/bird.conf\n8002 /etc/bird/bird.conf:4:1 syntax error, unexpected GARBAGE\n", true);
        CommandResult r = BirdSocket.run(socket, "configure check", Duration.ofSeconds(2));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).endsWith("/etc/bird/bird.conf:4:1 syntax error, unexpected GARBAGE\n");
    }

    @Test
    void keeps_continuation_lines_so_route_dumps_parse_like_birdcs() throws Exception {
        Path socket = serve("0001 BIRD 2.0.12 ready.\n", "1007-Table master4:\n"
                + " 198.51.100.53/32     blackhole [rhid4 23:47:16.929] * (200)\n"
                + " 198.51.100.54/32     blackhole [rhid4 23:47:16.929] * (200)\n0000 \n", true);
        CommandResult r = BirdSocket.run(socket, "show route protocol rhid4", Duration.ofSeconds(2));
        assertThat(r.exitCode()).isZero();
        assertThat(BirdReplies.routes(r.output())).extracting(Object::toString)
                .containsExactly("198.51.100.53/32", "198.51.100.54/32");
    }

    @Test
    void reports_a_missing_daemon_in_birdcs_words() {
        CommandResult r = BirdSocket.run(dir.resolve("absent.ctl"), "configure", Duration.ofSeconds(1));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).startsWith("Unable to connect to server control socket (" + dir.resolve("absent.ctl") + "): ");
    }

    @Test
    void gives_up_on_a_daemon_that_does_not_answer_within_the_timeout() throws Exception {
        Path socket = serve("0001 BIRD 2.0.12 ready.\n", "0002-Reading configuration from /etc/bird/bird.conf\n", false);
        long start = System.nanoTime();
        CommandResult r = BirdSocket.run(socket, "configure", Duration.ofMillis(300));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.timedOut()).isTrue();
        assertThat(r.ok()).isFalse();
        // Waited the timeout (the point), and gave up long before the daemon would have answered;
        // the upper bound holds with both cores saturated.
        assertThat(tookMs).isBetween(300L, 5000L);
    }

    @Test
    void reports_a_connection_closed_mid_reply() throws Exception {
        Path socket = serve("0001 BIRD 2.0.12 ready.\n", "0002-Reading configuration from /etc/bird/bird.conf\n", true);
        CommandResult r = BirdSocket.run(socket, "configure", Duration.ofSeconds(2));
        assertThat(r.ok()).isFalse();
        assertThat(r.timedOut()).isFalse();
        assertThat(r.output()).endsWith("Connection closed by server");
    }

    /**
     * A hung BIRD (SIGSTOPped, or stuck in a long reconfiguration) stops accepting connections;
     * once its listen queue is full, a blocking connect(2) would wait until BIRD accepts again,
     * however long that takes, and with it the control loop and {@code rhid withdraw-all}.
     */
    @Test
    void gives_up_within_the_timeout_when_the_daemon_accepts_no_connections() throws Exception {
        Path socket = dir.resolve("hung.ctl");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket), 1); // never accepts: the queue fills at once
        for (int i = 0; i < 6; i++) {
            long start = System.nanoTime();
            CompletableFuture<CommandResult> call = CompletableFuture.supplyAsync(
                    () -> BirdSocket.run(socket, "configure", Duration.ofMillis(200)));
            CommandResult r;
            try {
                r = call.get(3, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("attempt " + (i + 1) + " still blocked after 3 s (timeout 200ms)");
            }
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.ok()).as("attempt %d", i + 1).isFalse();
            assertThat(r.timedOut()).as("attempt %d: %s", i + 1, r.output()).isTrue();
            // Not "Unable to connect": withdraw-all reads that as "BIRD is not running".
            assertThat(r.output()).as("attempt %d", i + 1).doesNotContain("Unable to connect");
            assertThat(tookMs).as("attempt %d", i + 1).isBetween(150L, 3000L); // below the 3 s guard above
        }
    }
}
