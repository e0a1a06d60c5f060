package io.rhid.checks.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.FakeSpecReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DnsProbeProviderTest {

    private final DnsProbeProvider provider = new DnsProbeProvider();

    @Test
    void defaults_to_an_a_query_on_port_53_expecting_noerror() throws Exception {
        FakeSpecReader reader = FakeSpecReader.of("server", "127.0.0.1", "name", "health.example");

        DnsProbeSpec spec = (DnsProbeSpec) provider.parse(reader);

        assertThat(reader.errors()).isEmpty();
        assertThat(spec).isEqualTo(new DnsProbeSpec(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 53),
                Name.fromString("health.example."), "A", "NOERROR", Optional.empty(), false));
        assertThat(spec.type()).isEqualTo("dns");
        assertThat(spec.target()).isEqualTo("health.example. A @127.0.0.1:53");
    }

    @Test
    void reads_every_key() {
        FakeSpecReader reader = FakeSpecReader.of(
                "server", "[::1]:5353", "name", "health.example.", "record", "aaaa", "rcode", "noerror",
                "answer", "2001:db8::1", "tcp", true);

        DnsProbeSpec spec = (DnsProbeSpec) provider.parse(reader);

        assertThat(reader.errors()).isEmpty();
        assertThat(reader.unreadKeys()).isEmpty();
        assertThat(spec.record()).isEqualTo("AAAA");
        assertThat(spec.rcode()).isEqualTo("NOERROR");
        assertThat(spec.answer()).contains("2001:db8::1");
        assertThat(spec.target()).isEqualTo("health.example. AAAA @[::1]:5353 tcp");
    }

    @Test
    void requires_server_and_name() {
        assertErrors(FakeSpecReader.of(), "server: is required", "name: is required");
    }

    @Test
    void rejects_a_server_that_is_not_an_ip_address() {
        assertErrors(FakeSpecReader.of("server", "ns1.example", "name", "a."),
                "server: must be an IP address with an optional port, like 127.0.0.1:53 or [::1]:53 (found \"ns1.example\")");
        assertErrors(FakeSpecReader.of("server", "localhost:53", "name", "a."),
                "server: must be an IP address with an optional port, like 127.0.0.1:53 or [::1]:53 (found \"localhost:53\")");
    }

    @Test
    void rejects_a_server_port_out_of_range() {
        assertErrors(FakeSpecReader.of("server", "127.0.0.1:0", "name", "a."),
                "server: port must be a number 1-65535 (found \"127.0.0.1:0\")");
    }

    @Test
    void rejects_a_name_that_is_not_a_domain_name() {
        assertErrors(FakeSpecReader.of("server", "127.0.0.1", "name", "a..b"),
                "name: must be a domain name: invalid empty label (found \"a..b\")");
        assertErrors(FakeSpecReader.of("server", "127.0.0.1", "name", "x".repeat(64) + ".example."),
                "name: must be a domain name: label too long (found \"" + "x".repeat(64) + ".example.\")");
        assertErrors(FakeSpecReader.of("server", "127.0.0.1", "name", ""),
                "name: must be a domain name: empty name (found \"\")");
    }

    @Test
    void rejects_an_unknown_record_type() {
        assertErrors(FakeSpecReader.of("server", "127.0.0.1", "name", "a.", "record", "AAAAA"),
                "record: must be a record type such as A, AAAA, CNAME, MX, NS, SOA, SRV or TXT (found \"AAAAA\")");
    }

    @Test
    void rejects_a_zone_transfer() {
        assertErrors(FakeSpecReader.of("server", "127.0.0.1", "name", "a.", "record", "AXFR"),
                "record: must be a record type such as A, AAAA, CNAME, MX, NS, SOA, SRV or TXT (found \"AXFR\")");
    }

    @Test
    void rejects_an_unknown_rcode() {
        assertErrors(FakeSpecReader.of("server", "127.0.0.1", "name", "a.", "rcode", "OK"),
                "rcode: must be an rcode such as NOERROR, NXDOMAIN, SERVFAIL or REFUSED (found \"OK\")");
    }

    @Test
    void rejects_an_answer_that_cannot_match() {
        assertErrors(FakeSpecReader.of("server", "127.0.0.1", "name", "a.", "answer", ""),
                "answer: must not be empty");
        assertErrors(FakeSpecReader.of("server", "127.0.0.1", "name", "a.", "answer", "host.example."),
                "answer: must be an IPv4 address for record A (found \"host.example.\")");
        assertErrors(FakeSpecReader.of("server", "127.0.0.1", "name", "a.", "record", "AAAA", "answer", "192.0.2.1"),
                "answer: must be an IPv6 address for record AAAA (found \"192.0.2.1\")");
        assertErrors(FakeSpecReader.of("server", "127.0.0.1", "name", "a.", "rcode", "NXDOMAIN", "answer", "192.0.2.1"),
                "answer: requires rcode NOERROR (found rcode NXDOMAIN)");
    }

    private void assertErrors(FakeSpecReader reader, String... errors) {
        assertThat(provider.parse(reader)).isNull();
        assertThat(reader.errors()).containsExactly(errors);
    }
}
