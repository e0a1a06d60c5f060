package io.rhid.checks.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.FakeSpecReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TcpProbeProviderTest {

    private final TcpProbeProvider provider = new TcpProbeProvider();

    @Test
    void parses_an_address() throws Exception {
        FakeSpecReader reader = FakeSpecReader.of("address", "127.0.0.1:53");

        TcpProbeSpec spec = (TcpProbeSpec) provider.parse(reader);

        assertThat(reader.errors()).isEmpty();
        assertThat(spec).isEqualTo(new TcpProbeSpec(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 53), Optional.empty(), Optional.empty()));
        assertThat(spec.type()).isEqualTo("tcp");
        assertThat(spec.target()).isEqualTo("127.0.0.1:53");
    }

    @Test
    void reads_every_key() {
        FakeSpecReader reader = FakeSpecReader.of("address", "[::1]:6379", "send", "PING\r\n", "expect", "+PONG");

        TcpProbeSpec spec = (TcpProbeSpec) provider.parse(reader);

        assertThat(reader.errors()).isEmpty();
        assertThat(reader.unreadKeys()).isEmpty();
        assertThat(spec.target()).isEqualTo("[::1]:6379");
        assertThat(spec.send()).contains("PING\r\n");
        assertThat(spec.expect()).contains("+PONG");
    }

    @Test
    void takes_localhost_as_the_loopback_address() {
        TcpProbeSpec spec = (TcpProbeSpec) provider.parse(FakeSpecReader.of("address", "localhost:8080"));

        assertThat(spec.address()).isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080));
    }

    @Test
    void requires_an_address() {
        assertErrors(FakeSpecReader.of(), "address: is required");
    }

    @Test
    void rejects_an_address_without_port() {
        assertErrors(FakeSpecReader.of("address", "localhost"),
                "address: must be host:port with a numeric port 1-65535 (found \"localhost\")");
    }

    @Test
    void rejects_a_port_out_of_range() {
        assertErrors(FakeSpecReader.of("address", "127.0.0.1:65536"),
                "address: must be host:port with a numeric port 1-65535 (found \"127.0.0.1:65536\")");
    }

    @Test
    void rejects_a_host_name() {
        assertErrors(FakeSpecReader.of("address", "db.example:5432"),
                "address: host must be an IP address or localhost (found \"db.example:5432\")");
    }

    @Test
    void rejects_an_ipv6_address_without_brackets() {
        assertErrors(FakeSpecReader.of("address", "::1:53"),
                "address: IPv6 address must be in brackets, like [::1]:53 (found \"::1:53\")");
    }

    @Test
    void rejects_ipv4_in_brackets() {
        assertErrors(FakeSpecReader.of("address", "[127.0.0.1]:53"),
                "address: host in brackets must be an IPv6 address (found \"[127.0.0.1]:53\")");
    }

    @Test
    void rejects_empty_send_and_expect() {
        assertErrors(FakeSpecReader.of("address", "127.0.0.1:1", "send", "", "expect", ""),
                "send: must not be empty", "expect: must not be empty");
    }

    @Test
    void leaves_type_errors_to_the_reader() {
        assertErrors(FakeSpecReader.of("address", List.of("127.0.0.1:1")),
                "address: must be a scalar (found a sequence)");
    }

    private void assertErrors(FakeSpecReader reader, String... errors) {
        assertThat(provider.parse(reader)).isNull();
        assertThat(reader.errors()).containsExactly(errors);
    }
}
