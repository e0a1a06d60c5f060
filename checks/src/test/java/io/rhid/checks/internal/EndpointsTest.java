package io.rhid.checks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class EndpointsTest {

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:53, 127.0.0.1:53",
        "[::1]:53, [::1]:53",
        "[2001:DB8:0:0:1:0:0:1]:8080, [2001:db8::1:0:0:1]:8080",
        "[2001:db8:0:0:0:0:0:0]:1, [2001:db8::]:1",
        "[0:1:0:1:0:1:0:1]:65535, [0:1:0:1:0:1:0:1]:65535",
    })
    void parses_and_prints_host_and_port(String text, String printed) {
        assertThat(Endpoints.format(Endpoints.parseHostPort(text))).isEqualTo(printed);
    }

    @Test
    void localhost_is_the_loopback_address_without_a_lookup() {
        assertThat(Endpoints.parseHostPort("localhost:8080"))
                .isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "localhost|must be host:port with a numeric port 1-65535 (found \"localhost\")",
        "127.0.0.1:|must be host:port with a numeric port 1-65535 (found \"127.0.0.1:\")",
        "127.0.0.1:0|must be host:port with a numeric port 1-65535 (found \"127.0.0.1:0\")",
        "127.0.0.1:65536|must be host:port with a numeric port 1-65535 (found \"127.0.0.1:65536\")",
        "127.0.0.1:http|must be host:port with a numeric port 1-65535 (found \"127.0.0.1:http\")",
        "[::1]|must be host:port with a numeric port 1-65535 (found \"[::1]\")",
        "db.example:5432|host must be an IP address or localhost (found \"db.example:5432\")",
        "127.1:80|host must be an IP address or localhost (found \"127.1:80\")",
        "::1:53|IPv6 address must be in brackets, like [::1]:53 (found \"::1:53\")",
        "[127.0.0.1]:53|host in brackets must be an IPv6 address (found \"[127.0.0.1]:53\")",
    })
    void rejects_what_is_not_an_ip_literal_with_a_port(String text, String message) {
        assertThatThrownBy(() -> Endpoints.parseHostPort(text)).hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, 127.0.0.1:53",
        "127.0.0.1:5353, 127.0.0.1:5353",
        "::1, [::1]:53",
        "[::1], [::1]:53",
        "[::1]:5353, [::1]:5353",
    })
    void parses_an_ip_with_an_optional_port(String text, String printed) {
        assertThat(Endpoints.format(Endpoints.parseIpWithOptionalPort(text, 53))).isEqualTo(printed);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1|8080|tcp 127.0.0.1:8080",
        "localhost|80|tcp 127.0.0.1:80",
        "LocalHost|443|tcp 127.0.0.1:443",
        "2001:DB8:0::1|443|tcp [2001:db8::1]:443",
        "::1|53|tcp [::1]:53",
        "Web.Example|8080|tcp web.example:8080",
    })
    void links_a_host_as_a_url_spells_it_without_looking_it_up(String host, int port, String key) {
        assertThat(Endpoints.link("tcp", host, port)).isEqualTo(key);
    }

    @Test
    void links_by_transport_address_and_port() {
        assertThat(Endpoints.link("udp", Endpoints.parseHostPort("[::1]:53"))).isEqualTo("udp [::1]:53");
        assertThat(Endpoints.link("tcp", Endpoints.parseHostPort("localhost:8080")))
                .isEqualTo(Endpoints.link("tcp", "127.0.0.1", 8080));
    }
}
