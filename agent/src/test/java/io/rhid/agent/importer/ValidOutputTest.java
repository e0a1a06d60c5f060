package io.rhid.agent.importer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Whatever an import converts, rhid's config loader accepts: awkward names, commands, prefixes and timings. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ValidOutputTest {

    static Stream<Arguments> services() {
        return Stream.of(
                Arguments.of("Über Service #1", "check_cmd = /bin/true\nip_prefix = 192.0.2.1"),
                Arguments.of("on", "check_cmd = /bin/true\nip_prefix = 192.0.2.2"),
                Arguments.of("-x-", "check_cmd = /bin/true\nip_prefix = 192.0.2.3"),
                Arguments.of("a".repeat(100), "check_cmd = /bin/true\nip_prefix = 192.0.2.4"),
                Arguments.of("yaml", "check_cmd = /usr/bin/test \"a: b\" = '#{x}' -o \"\\\"q\\\"\" = \"tab\there\"\nip_prefix = 192.0.2.5"),
                Arguments.of("multi", "check_cmd = /usr/bin/test\n  -n\n  yes\nip_prefix = 192.0.2.6"),
                Arguments.of("unicode", "check_cmd = /usr/bin/test -n \"é\u2028x\"\nip_prefix = 192.0.2.7"),
                Arguments.of("default-route", "check_cmd = /bin/true\nip_prefix = 0.0.0.0/0"),
                Arguments.of("v6-short", "check_cmd = /bin/true\nip_prefix = 2001:db8::/32"),
                Arguments.of("timing-low", "check_cmd = /bin/true\nip_prefix = 192.0.2.8\ncheck_interval = 0.001\ncheck_timeout = 0\ncheck_rise = 0\ncheck_fail = 1000"),
                Arguments.of("timing-high", "check_cmd = /bin/true\nip_prefix = 192.0.2.9\ncheck_interval = 7200\ncheck_timeout = 9000"),
                Arguments.of("curl-odd-url", "check_cmd = curl -f \"http://127.0.0.1/a b\"\nip_prefix = 192.0.2.10"),
                Arguments.of("curl-header", "check_cmd = curl -f -H \"X-Check: {\\\"a\\\": 1}\" http://127.0.0.1/\nip_prefix = 192.0.2.11"),
                Arguments.of("dig-name", "check_cmd = dig @127.0.0.1 -q _srv._tcp.example SRV\nip_prefix = 192.0.2.12"),
                Arguments.of("empty-ish", "check_cmd = '' /bin/true\nip_prefix = 192.0.2.13"));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("services")
    void anycast_healthchecker_output_loads(String section, String body) throws ImportException {
        String text = "[" + section + "]\ncheck_disabled = false\n" + body + "\n";
        Imported imported = new AnycastHealthchecker(Importing.PROGRAMS).convert(List.of(new AnycastHealthchecker.Input("t.conf", text)));
        assertThat(Importing.load(imported).services()).hasSize(1);
    }

    static Stream<Arguments> commandLines() {
        return Stream.of(
                Arguments.of(List.of("--name", "ÜBER#1", "--ip", "198.51.100.1", "--cmd", "/bin/true")),
                Arguments.of(List.of("--name", "n".repeat(70), "--ip", "198.51.100.1", "--ip", "198.51.100.2")),
                Arguments.of(List.of("--ip", "198.51.100.0/24", "--deaggregate-networks", "--cmd", "test -e '/run/a b'")),
                Arguments.of(List.of("--ip", "2001:db8::/120", "--deaggregate-networks", "--ip", "2001:db8:1::/64")),
                Arguments.of(List.of("--ip", "198.51.100.2", "--interval", "0.001", "--fast-interval", "9", "--timeout", "0", "--rise", "0")),
                Arguments.of(List.of("--ip", "198.51.100.3", "--as-path", "65000 65000 65000 65000 65000 65000 65000 65000 65000 65000 65000 65000 65000")),
                Arguments.of(List.of("--ip", "198.51.100.4", "--community", "[ 65000:1 65536:1 ]", "--large-community", "1:2:3 x", "--up-metric", "-5")),
                Arguments.of(List.of("--ip", "198.51.100.5", "--disable", "maintenance", "--cmd", "echo \"$(date)\" | grep -q 20")),
                Arguments.of(List.of("--ip", "198.51.100.6", "--cmd", "curl -sf 'http://127.0.0.1/x?a=\"b\"'")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandLines")
    void exabgp_healthcheck_output_loads(List<String> args) throws ImportException {
        Imported imported = new ExabgpHealthcheck(Importing.PROGRAMS, f -> "").convert(args);
        // Several --ip with healthcheck's MED steps become one service per prefix.
        assertThat(Importing.load(imported).services()).isNotEmpty();
    }
}
