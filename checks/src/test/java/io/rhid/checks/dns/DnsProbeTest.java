package io.rhid.checks.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.FakeSpecReader;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DnsProbeTest {

    // Generous: the in-process server shares a possibly saturated machine with the probe.
    private static final Duration TIMEOUT = Duration.ofMillis(2000);
    private static final long SLACK_MILLIS = 1500;

    private static TestDnsServer server;
    private final DnsProbeProvider provider = new DnsProbeProvider();

    @BeforeAll
    static void start() throws IOException {
        server = new TestDnsServer();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    @Test
    void passes_when_the_name_resolves() {
        assertThat(run("name", "health.example.")).isEqualTo(ProbeResult.pass("rcode NOERROR"));
    }

    @Test
    void makes_a_relative_name_absolute() {
        assertThat(run("name", "health.example")).isEqualTo(ProbeResult.pass("rcode NOERROR"));
    }

    @Test
    void passes_when_the_expected_answer_is_there() {
        assertThat(run("name", "health.example.", "answer", "192.0.2.1").passed()).isTrue();
        assertThat(run("name", "health.example.", "record", "AAAA", "answer", "2001:db8:0::1").passed()).isTrue();
        assertThat(run("name", "health.example.", "record", "TXT", "answer", "\"ok\"").passed()).isTrue();
    }

    @Test
    void fails_when_the_expected_answer_is_missing() {
        assertThat(run("name", "health.example.", "answer", "192.0.2.9"))
                .isEqualTo(ProbeResult.failure("answer 192.0.2.9 not found"));
    }

    @Test
    void fails_with_the_rcode_on_servfail() {
        assertThat(run("name", "broken.example.")).isEqualTo(ProbeResult.failure("rcode SERVFAIL"));
    }

    @Test
    void passes_on_the_rcode_it_was_told_to_expect() {
        assertThat(run("name", "missing.example.", "rcode", "NXDOMAIN")).isEqualTo(ProbeResult.pass("rcode NXDOMAIN"));
        assertThat(run("name", "health.example.", "rcode", "NXDOMAIN")).isEqualTo(ProbeResult.failure("rcode NOERROR"));
    }

    @Test
    void fails_with_no_answer_when_the_name_has_no_record_of_the_type() {
        assertThat(run("name", "nodata.example.")).isEqualTo(ProbeResult.failure("no answer"));
        assertThat(run("name", "health.example.", "record", "MX")).isEqualTo(ProbeResult.failure("no answer"));
    }

    @Test
    void times_out_within_budget_when_the_server_stays_silent() {
        long start = System.nanoTime();
        ProbeResult result = run("name", "silent.example.");

        assertThat(result).isEqualTo(ProbeResult.failure("timeout after 2s"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .isBetween(TIMEOUT.toMillis() - 50, TIMEOUT.toMillis() + SLACK_MILLIS);
    }

    @Test
    void falls_back_to_tcp_when_the_udp_answer_is_truncated() {
        int before = server.tcpQueries.get();

        assertThat(run("name", "big.example.", "answer", "192.0.2.7").passed()).isTrue();
        assertThat(server.tcpQueries.get()).isEqualTo(before + 1);
    }

    @Test
    void queries_over_tcp_when_told_to() {
        int before = server.tcpQueries.get();

        assertThat(run("name", "health.example.", "tcp", true).passed()).isTrue();
        assertThat(server.tcpQueries.get()).isEqualTo(before + 1);
    }

    @Test
    void fails_with_port_unreachable_when_nothing_listens() throws IOException {
        String address;
        try (DatagramSocket closed = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            address = "127.0.0.1:" + closed.getLocalPort();
        }
        FakeSpecReader reader = FakeSpecReader.of("server", address, "name", "health.example.");
        DnsProbeSpec spec = (DnsProbeSpec) provider.parse(reader);

        assertThat(provider.create(spec, new ProbeContext("test/dns", TIMEOUT)).run())
                .isEqualTo(ProbeResult.failure("port unreachable"));
    }

    @Test
    void names_the_rcode_of_a_refusal_without_a_question_section() {
        assertThat(run("name", "refused-bare.example.")).isEqualTo(ProbeResult.failure("rcode REFUSED"));
        assertThat(run("name", "refused-bare.example.", "tcp", true)).isEqualTo(ProbeResult.failure("rcode REFUSED"));
        assertThat(run("name", "refused-bare.example.", "rcode", "REFUSED")).isEqualTo(ProbeResult.pass("rcode REFUSED"));
    }

    @Test
    void a_query_over_tcp_never_waits_behind_another_checks_slow_one() throws Exception {
        // The server answers a connection's queries in order and holds slow.example.'s answer until
        // the fast query has its result: a fast query sent on the slow one's connection would time out.
        Probe fast = probe("name", "health.example.", "tcp", true);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            server.slowQueries.drainPermits();
            server.slowAnswers.drainPermits();
            for (int i = 0; i < 5; i++) {
                Probe slow = probe("name", "slow.example.", "tcp", true);
                Future<ProbeResult> slowRun = other.submit(slow::run);
                assertThat(server.slowQueries.tryAcquire(5, TimeUnit.SECONDS)).as("the slow query arrived").isTrue();

                assertThat(fast.run()).as("run %d, with the slow query in flight", i).isEqualTo(ProbeResult.pass("rcode NOERROR"));
                server.slowAnswers.release();
                slowRun.get(5, TimeUnit.SECONDS); // its result is not the point: a busy host may even let it pass
            }
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void says_in_words_that_the_server_closed_the_connection_before_answering() throws IOException {
        try (ServerSocket closing = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            Thread acceptor = new Thread(() -> {
                try (Socket s = closing.accept()) {
                    s.getInputStream().read(); // the query arrived; hang up without answering
                } catch (IOException e) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            FakeSpecReader reader = FakeSpecReader.of("server", "127.0.0.1:" + closing.getLocalPort(),
                    "name", "health.example.", "tcp", true);
            Probe probe = provider.create(provider.parse(reader), new ProbeContext("test/dns", TIMEOUT));

            assertThat(probe.run()).isEqualTo(ProbeResult.failure("connection closed by the server before the answer"));
        }
    }

    @Test
    void skips_a_datagram_that_is_not_the_reply_to_its_query() throws Exception {
        try (DatagramSocket fake = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            Thread responder = new Thread(() -> {
                try {
                    byte[] buffer = new byte[4096];
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    fake.receive(packet);
                    Message query = new Message(Arrays.copyOf(buffer, packet.getLength()));
                    int id = query.getHeader().getID();
                    // First a late reply to some earlier query (another ID), then the real one.
                    fake.send(reply(query, (id + 1) & 0xffff, "192.0.2.99", packet));
                    fake.send(reply(query, id, "192.0.2.1", packet));
                } catch (IOException e) {
                    // the test is over
                }
            });
            responder.setDaemon(true);
            responder.start();
            FakeSpecReader reader = FakeSpecReader.of("server", "127.0.0.1:" + fake.getLocalPort(),
                    "name", "health.example.", "answer", "192.0.2.1");
            Probe probe = provider.create(provider.parse(reader), new ProbeContext("test/dns", TIMEOUT));

            assertThat(probe.run()).isEqualTo(ProbeResult.pass("rcode NOERROR"));
        }
    }

    private static DatagramPacket reply(Message query, int id, String address, DatagramPacket to) throws IOException {
        Message reply = new Message(id);
        reply.getHeader().setFlag(Flags.QR);
        reply.addRecord(query.getQuestion(), Section.QUESTION);
        reply.addRecord(new ARecord(query.getQuestion().getName(), DClass.IN, 60, InetAddress.getByName(address)),
                Section.ANSWER);
        byte[] wire = reply.toWire();
        return new DatagramPacket(wire, wire.length, to.getSocketAddress());
    }

    private Probe probe(Object... config) {
        Object[] withServer = new Object[config.length + 2];
        withServer[0] = "server";
        withServer[1] = server.address();
        System.arraycopy(config, 0, withServer, 2, config.length);
        FakeSpecReader reader = FakeSpecReader.of(withServer);
        DnsProbeSpec spec = (DnsProbeSpec) provider.parse(reader);
        assertThat(reader.errors()).isEmpty();
        return provider.create(spec, new ProbeContext("test/dns", TIMEOUT));
    }

    private ProbeResult run(Object... config) {
        Object[] withServer = new Object[config.length + 2];
        withServer[0] = "server";
        withServer[1] = server.address();
        System.arraycopy(config, 0, withServer, 2, config.length);
        FakeSpecReader reader = FakeSpecReader.of(withServer);
        DnsProbeSpec spec = (DnsProbeSpec) provider.parse(reader);
        assertThat(reader.errors()).isEmpty();
        return provider.create(spec, new ProbeContext("test/dns", TIMEOUT)).run();
    }
}
