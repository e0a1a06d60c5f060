package io.rhid.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigLoaderTest {

    private final ConfigLoader loader = new ConfigLoader(ProbeTypes.load());

    private RhidConfig parse(String yaml) throws ConfigException {
        return loader.parse(Path.of("rhid.yaml"), yaml);
    }

    @Test
    void applies_every_default_when_only_services_are_given() throws ConfigException {
        RhidConfig c = parse("""
                services:
                  web:
                    prefixes: [203.0.113.80]
                    checks:
                      - { type: tcp, address: "127.0.0.1:80" }
                """);
        assertThat(c.router().daemon()).isEqualTo(RouterConfig.Daemon.BIRD);
        assertThat(c.router().bird().includeFile()).isEqualTo(Path.of("/etc/bird/rhid.conf"));
        assertThat(c.router().bird().socket()).isEqualTo(Path.of("/run/bird/bird.ctl"));
        assertThat(c.router().bird().birdc()).as("speak the socket directly").isEmpty();
        assertThat(c.router().bird().protocolV4()).isEqualTo("rhid4");
        assertThat(c.router().bird().protocolV6()).isEqualTo("rhid6");
        assertThat(c.router().reconcileInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.addresses()).isEqualTo(new RhidConfig.Addresses(true, "lo", false));
        assertThat(c.status().listen()).isEqualTo("127.0.0.1:9790");
        assertThat(c.control().socket()).isEqualTo(Path.of("/run/rhid/control.sock"));
        assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/rhid"));

        ServiceConfig web = c.services().get("web");
        assertThat(web.prefixes()).containsExactly(Prefix.of("203.0.113.80/32"));
        assertThat(web.policy()).isEqualTo(Policy.ALL);
        assertThat(web.drainHold()).isEqualTo(Duration.ofSeconds(30));
        assertThat(web.announce()).isEqualTo(Announce.DEFAULT);
        assertThat(web.announce().draining().communities()).containsExactly(Community.GRACEFUL_SHUTDOWN);
        CheckConfig check = web.checks().get(0);
        assertThat(check.name()).isEqualTo("tcp");
        assertThat(check.timing()).isEqualTo(new Timing(Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1), 2, 2, true));
    }

    @Test
    void inherits_timing_from_defaults_then_service_then_check() throws ConfigException {
        RhidConfig c = parse("""
                defaults: { interval: 3s, rise: 4, fall: 5 }
                services:
                  dns:
                    prefixes: [198.51.100.53/32]
                    interval: 1s
                    fall: 3
                    checks:
                      - { type: tcp, address: "127.0.0.1:53" }
                      - { type: tcp, address: "127.0.0.1:54", interval: 200ms, fast_interval: 20ms, timeout: 150ms, rise: 1 }
                      - { type: tcp, address: "127.0.0.1:55", fast_interval: 0ms }
                """);
        List<CheckConfig> checks = c.services().get("dns").checks();
        assertThat(checks).extracting(CheckConfig::name).containsExactly("tcp-1", "tcp-2", "tcp-3");
        assertThat(checks.get(0).timing()).isEqualTo(new Timing(Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMillis(500), 4, 3, true));
        assertThat(checks.get(1).timing()).isEqualTo(new Timing(Duration.ofMillis(200), Duration.ofMillis(20), Duration.ofMillis(150), 1, 3, true));
        assertThat(checks.get(2).timing().fastInterval()).as("0 turns fast re-runs off").isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void watches_by_default_exactly_the_checks_of_a_tcp_server_given_by_address() throws ConfigException {
        RhidConfig c = parse("""
                services:
                  dns:
                    prefixes: [198.51.100.53/32]
                    checks:
                      - { id: t, type: tcp, address: "127.0.0.1:53" }
                      - { id: h, type: http, url: "http://localhost:8080/" }
                      - { id: named, type: http, url: "http://web.example/" }
                      - { id: dt, type: dns, server: "[::1]:53", name: a.example., tcp: true }
                      - { id: du, type: dns, server: "127.0.0.1:53", name: a.example. }
                      - { id: f, type: file, path: /nonexistent/rhid-maintenance }
                      - { id: off, type: tcp, address: "127.0.0.1:54", watch: false }
                      - { id: ff, type: file, path: /nonexistent/rhid-maintenance-2, watch: false }
                """);
        assertThat(c.services().get("dns").checks())
                .extracting(ch -> ch.name() + "=" + ch.timing().watch())
                .containsExactly("t=true", "h=true", "named=false", "dt=true", "du=false", "f=false", "off=false", "ff=false");
    }

    @Test
    void worst_case_detection_follows_the_documented_formula() {
        Timing t = new Timing(Duration.ofMillis(200), Duration.ofMillis(20), Duration.ofMillis(100), 2, 3, false);
        // interval + (fall - 1) x fast_interval + fall x timeout
        assertThat(t.worstCaseDetection()).isEqualTo(Duration.ofMillis(200 + 2 * 20 + 3 * 100));
    }

    @Test
    void reads_announce_attributes_and_inherits_degraded_and_draining_from_up() throws ConfigException {
        RhidConfig c = parse("""
                router: { bird: { asn: 65000 } }
                services:
                  dns:
                    prefixes: [198.51.100.53/32]
                    announce:
                      up: { communities: ["65000:200", "65000:100"], large_communities: ["65000:1:2"], med: 100, prepend: 1 }
                    checks:
                      - { type: tcp, address: "127.0.0.1:53" }
                """);
        Announce a = c.services().get("dns").announce();
        assertThat(a.up().communities()).extracting(Community::toString).containsExactly("65000:100", "65000:200");
        assertThat(a.up().largeCommunities()).extracting(LargeCommunity::toString).containsExactly("65000:1:2");
        assertThat(a.up().med()).isEqualTo(OptionalLong.of(100));
        assertThat(a.up().prepend()).isEqualTo(1);
        assertThat(a.degraded()).isEqualTo(a.up());
        assertThat(a.draining().communities()).extracting(Community::toString)
                .containsExactly("65000:100", "65000:200", "65535:0");
        assertThat(a.draining().med()).isEqualTo(OptionalLong.of(100));
    }

    @Test
    void accepts_a_config_with_no_services_that_announces_nothing() throws ConfigException {
        assertThat(parse("services: {}\n").services()).isEmpty();
    }

    @Test
    void parses_policies() throws ConfigException {
        String checks = """
                    checks:
                      - { type: tcp, address: "127.0.0.1:53" }
                      - { type: tcp, address: "127.0.0.1:54" }
                """;
        assertThat(parse("services:\n  a:\n    prefixes: [198.51.100.1]\n    policy: any\n" + checks)
                .services().get("a").policy()).isEqualTo(Policy.ANY);
        assertThat(parse("services:\n  a:\n    prefixes: [198.51.100.1]\n    policy: 2\n" + checks)
                .services().get("a").policy()).isEqualTo(Policy.atLeast(2));
    }

    @Test
    void reports_a_missing_file_as_one_error() {
        assertThatThrownBy(() -> loader.load(Path.of("/nonexistent/rhid.yaml")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(ConfigError::toString)
                        .containsExactly("/nonexistent/rhid.yaml: cannot read: no such file"));
    }

    @Test
    void reports_a_directory_as_one_error(@TempDir Path dir) {
        assertThatThrownBy(() -> loader.load(dir))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(ConfigError::toString)
                        .containsExactly(dir + ": cannot read: is a directory"));
    }

    @Test
    void reports_an_empty_file(@TempDir Path dir) throws IOException {
        Path file = Files.createFile(dir.resolve("rhid.yaml"));
        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(ConfigError::toString)
                        .containsExactly(file + ": is empty; expected a mapping with router and services"));
    }

    @Test
    void reports_bytes_that_are_not_utf8(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("rhid.yaml"), new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(ConfigError::toString)
                        .containsExactly(file + ": cannot read: not valid UTF-8"));
    }

    @Test
    void loads_router_settings_for_withdrawal_even_when_a_service_is_broken(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("rhid.yaml"), """
                router:
                  bird: { include_file: /tmp/rhid-test.conf }
                services:
                  web:
                    prefixes: [not-a-prefix]
                    checks: []
                """);
        assertThatThrownBy(() -> loader.load(file)).isInstanceOf(ConfigException.class);
        RhidConfig c = loader.loadForWithdrawal(file);
        assertThat(c.router().bird().includeFile()).isEqualTo(Path.of("/tmp/rhid-test.conf"));
        assertThat(c.services()).isEmpty();
    }

    @Test
    void refuses_withdrawal_settings_that_are_themselves_broken(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("rhid.yaml"), "router:\n  bird: { include_file: relative.conf }\n");
        assertThatThrownBy(() -> loader.loadForWithdrawal(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(ConfigError::path)
                        .containsExactly("router.bird.include_file"));
    }

    @Test
    void refuses_a_config_file_other_users_may_change(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("rhid.yaml"), "services: {}\n");
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).extracting(ConfigError::toString)
                        .containsExactly(file + ": is writable by other users (mode rw-rw-rw-); make it writable only by its owner"));
    }

    @Test
    void accepts_a_group_writable_config_file_only_when_the_group_is_root(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("rhid.yaml"), "services: {}\n");
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(file, "unix:gid")),
                "needs to create files owned by group root");
        assertThat(loader.load(file).services()).isEmpty();
        Files.setAttribute(file, "unix:gid", 65534);
        assertThatThrownBy(() -> loader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("is writable by group");
    }

    @Test
    void accepts_short_prefixes_when_allowed_explicitly() throws ConfigException {
        RhidConfig c = parse("""
                allow_short_prefixes: true
                services:
                  web:
                    prefixes: [203.0.113.0/24, 198.51.0.0/16, "2001:db8::/32"]
                    checks: [{ type: tcp, address: "127.0.0.1:80" }]
                """);
        assertThat(c.services().get("web").prefixes()).hasSize(3);
        RhidConfig ranged = parse("""
                allowed_prefixes: [198.51.0.0/16]
                services:
                  web:
                    prefixes: [198.51.0.0/16, 198.51.100.53]
                    checks: [{ type: tcp, address: "127.0.0.1:80" }]
                """);
        assertThat(ranged.safety().allowedPrefixes()).containsExactly(Prefix.of("198.51.0.0/16"));
    }

    @Test
    void reads_flap_damping_and_startup_settings_with_defaults_on() throws ConfigException {
        RhidConfig defaults = parse("services: {}\n");
        assertThat(defaults.safety().flap()).isEqualTo(new RhidConfig.Flap(6, Duration.ofMinutes(1), Duration.ofMinutes(2)));
        assertThat(defaults.safety().flap().enabled()).isTrue();
        assertThat(defaults.safety().startupDelay()).isZero();
        assertThat(defaults.router().commandTimeout()).isEqualTo(Duration.ofSeconds(10));
        RhidConfig set = parse("startup_delay: 5s\nflap: { max_changes: 0 }\nrouter: { command_timeout: 2s }\nservices: {}\n");
        assertThat(set.safety().flap().enabled()).isFalse();
        assertThat(set.safety().startupDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(set.router().commandTimeout()).isEqualTo(Duration.ofSeconds(2));
    }
}
