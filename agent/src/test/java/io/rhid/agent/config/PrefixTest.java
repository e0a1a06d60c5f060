package io.rhid.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PrefixTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "198.51.100.53,        198.51.100.53/32",
            "198.51.100.0/24,      198.51.100.0/24",
            "0.0.0.0/0,            0.0.0.0/0",
            "2001:db8::53,         2001:db8::53/128",
            "2001:DB8:0:0:0:0:0:53/128, 2001:db8::53/128",
            "2001:db8::/32,        2001:db8::/32",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128",
            "2001:0:0:1:0:0:0:1,   2001:0:0:1::1/128",
            "::/0,                 ::/0",
            "::1,                  ::1/128",
            "2001:db8::c633:6435,  2001:db8::c633:6435/128",
            "2001:db8::198.51.100.53, 2001:db8::c633:6435/128",
            "fe80::,               fe80::/128",
    })
    void parses_to_one_canonical_spelling(String text, String canonical) {
        assertThat(Prefix.of(text).toString()).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "198.51.100", "198.51.100.256", "198.51.100.053", "198.51.100.5/", "198.51.100.5/032",
            "1.2.3.4.5", "2001:db8:::1", "2001:db8::1::2", "2001:db8:1:2:3:4:5:6:7", "12345::", "::ffff:192.0.2.1",
            "2001:db8::%eth0", "example.com", "-1.2.3.4", "2001:db8::1/129"})
    void rejects_text_that_is_not_exactly_one_prefix(String text) {
        assertThat(Prefix.parse(text).prefix()).isNull();
        assertThat(Prefix.parse(text).error()).isNotBlank();
    }

    @Test
    void contains_itself_and_longer_prefixes_of_the_same_family_inside_it() {
        Prefix p = Prefix.of("198.51.100.0/24");
        assertThat(p.contains(p)).isTrue();
        assertThat(p.contains(Prefix.of("198.51.100.53"))).isTrue();
        assertThat(p.contains(Prefix.of("198.51.101.0/24"))).isFalse();
        assertThat(p.contains(Prefix.of("198.51.0.0/16"))).isFalse();
        assertThat(Prefix.of("2001:db8::/32").contains(Prefix.of("2001:db8:ff::53"))).isTrue();
        assertThat(Prefix.of("::/0").contains(Prefix.of("0.0.0.0/0"))).isFalse();
    }

    @Test
    void sorts_ipv4_before_ipv6_then_by_address_then_length() {
        TreeSet<Prefix> sorted = new TreeSet<>(List.of(Prefix.of("2001:db8::1"), Prefix.of("203.0.113.0/24"),
                Prefix.of("198.51.100.0/24"), Prefix.of("198.51.100.0/25"), Prefix.of("8000::/1")));
        assertThat(sorted).extracting(Prefix::toString)
                .containsExactly("198.51.100.0/24", "198.51.100.0/25", "203.0.113.0/24", "2001:db8::1/128", "8000::/1");
    }

    @Test
    void is_a_host_route_only_at_full_length() {
        assertThat(Prefix.of("198.51.100.53").isHost()).isTrue();
        assertThat(Prefix.of("198.51.100.0/24").isHost()).isFalse();
        assertThat(Prefix.of("2001:db8::53").isHost()).isTrue();
    }
}
