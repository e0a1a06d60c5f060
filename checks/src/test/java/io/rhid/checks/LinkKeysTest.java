package io.rhid.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.dns.DnsProbeProvider;
import io.rhid.checks.http.HttpProbeProvider;
import io.rhid.checks.spi.ProbeProvider;
import io.rhid.checks.tcp.TcpProbeProvider;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The endpoint every network check type links by: (transport, address, port), whatever the type. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LinkKeysTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http|url|http://127.0.0.1:8080/healthz|tcp 127.0.0.1:8080",
        "http|url|http://127.0.0.1/|tcp 127.0.0.1:80",
        "http|url|https://127.0.0.1/ready|tcp 127.0.0.1:443",
        "http|url|https://[2001:DB8::1]:8443/|tcp [2001:db8::1]:8443",
        "http|url|http://localhost:8080/|tcp 127.0.0.1:8080",
        "tcp|address|127.0.0.1:8080|tcp 127.0.0.1:8080",
        "tcp|address|localhost:8080|tcp 127.0.0.1:8080",
        "tcp|address|[2001:db8:0::1]:443|tcp [2001:db8::1]:443",
        "dns|server|127.0.0.1|udp 127.0.0.1:53",
        "dns|server|[::1]:5353|udp [::1]:5353",
    })
    void links_checks_by_transport_address_and_port(String type, String key, String value, String endpoint) {
        FakeSpecReader reader = type.equals("dns")
                ? FakeSpecReader.of(key, value, "name", "health.example.")
                : FakeSpecReader.of(key, value);
        assertThat(provider(type).parse(reader).endpoint()).isEqualTo(endpoint);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "false|udp 127.0.0.1:8053",
        "true|tcp 127.0.0.1:8053",
    })
    void links_dns_checks_over_udp_apart_from_those_over_tcp(boolean tcp, String endpoint) {
        FakeSpecReader reader = FakeSpecReader.of("server", "127.0.0.1:8053", "name", "health.example.", "tcp", tcp);
        assertThat(provider("dns").parse(reader).endpoint()).isEqualTo(endpoint);
    }

    private static ProbeProvider<?> provider(String type) {
        return switch (type) {
            case "http" -> new HttpProbeProvider();
            case "tcp" -> new TcpProbeProvider();
            case "dns" -> new DnsProbeProvider();
            default -> throw new IllegalArgumentException(type);
        };
    }
}
