package io.rhid.agent.importer;

import static io.rhid.agent.importer.Importing.FIXTURES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** ExaBGP healthcheck command lines, from its documentation, its defaults and edge cases, converted and validated. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ExabgpHealthcheckTest {

    private static final Path DIR = FIXTURES.resolve("exabgp-healthcheck");

    private static Imported convert(String... args) throws ImportException {
        return new ExabgpHealthcheck(Importing.PROGRAMS, file -> {
            try {
                return Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).convert(List.of(args));
    }

    @Test
    void converts_the_run_line_of_exabgps_example_process_block() throws Exception {
        String run = Files.readAllLines(DIR.resolve("example-healthcheck.conf")).stream()
                .map(String::strip).filter(l -> l.startsWith("run ")).findFirst().orElseThrow();
        Imported imported = convert(run);
        Importing.assertGolden("exabgp-healthcheck/example-healthcheck.expected.yaml", imported.yaml());
        Importing.load(imported);
        // Without --ip healthcheck announced whatever is on lo: the service waits, commented out, for its prefixes.
        assertThat(imported.yaml()).contains("  # nginx:\n", "#     - { type: http, url: \"http://localhost\", expect_status: [200-399], timeout: 2s }");
        assertThat(imported.warnings()).containsExactly(
                "--ip: no --ip: healthcheck announced the addresses found on lo; list them under prefixes and uncomment this service",
                "--withdraw-on-down: without --withdraw-on-down healthcheck kept announcing a down or disabled service (MED 1000"
                        + " while down, MED 500 while disabled); rhid withdraws it. Use `rhid drain` to move traffic away gracefully");
    }

    @Test
    void converts_the_process_examples_of_healthchecks_own_documentation() throws Exception {
        // healthcheck's module documentation: one process watching haproxy, one watching mysql, both by label.
        Imported haproxy = convert("run python -m exabgp healthcheck --cmd \"curl -sf http://127.0.0.1/healthcheck\" --label haproxy;");
        Importing.load(haproxy);
        assertThat(haproxy.yaml()).contains("  # haproxy:\n",
                "#     - { type: http, url: \"http://127.0.0.1/healthcheck\", expect_status: [200-399] }");
        assertThat(haproxy.warnings()).first().asString()
                .isEqualTo("--ip: no --ip: healthcheck announced the addresses found on lo labelled haproxy; list them under"
                        + " prefixes and uncomment this service");
        Imported mysql = convert("run python -m exabgp healthcheck --cmd \"mysql -u check -e 'SELECT 1'\" --label mysql;");
        Importing.load(mysql);
        assertThat(mysql.yaml()).contains("  # mysql:\n", "# --cmd: mysql -u check -e 'SELECT 1'\n",
                "#     - { type: exec, command: [/bin/false] }");
    }

    @Test
    void reads_a_config_file_of_options_like_healthcheck_does() throws Exception {
        Imported imported = convert("--config", DIR.resolve("haproxy.conf").toString(), "--ip", "203.0.113.80", "--withdraw-on-down");
        RhidConfig config = Importing.load(imported);
        ServiceConfig haproxy = config.services().get("haproxy");
        assertThat(haproxy.checks()).singleElement().satisfies(c -> {
            assertThat(c.spec().type()).isEqualTo("http");
            assertThat(c.spec().target()).contains("http://127.0.0.1/healthcheck");
            assertThat(c.timing().interval()).isEqualTo(Duration.ofSeconds(10));
            assertThat(c.timing().fastInterval()).isEqualTo(Duration.ofSeconds(1));
            assertThat(c.timing().timeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(c.timing().rise()).isEqualTo(3);
            assertThat(c.timing().fall()).isEqualTo(3);
        });
        assertThat(imported.warnings()).isEmpty();
    }

    @Test
    void applies_healthchecks_defaults_to_a_bare_ip() throws Exception {
        Imported imported = convert("--ip", "203.0.113.80");
        Importing.assertGolden("exabgp-healthcheck/defaults.expected.yaml", imported.yaml());
        RhidConfig config = Importing.load(imported);
        ServiceConfig service = config.services().get("healthcheck");
        assertThat(service.prefixes()).map(Object::toString).containsExactly("203.0.113.80/32");
        assertThat(service.announce().up().med()).hasValue(100);
        assertThat(service.checks()).singleElement().satisfies(c -> {
            // No --cmd: always healthy in healthcheck; a maintenance file check in rhid.
            assertThat(c.spec().type()).isEqualTo("file");
            assertThat(c.timing().interval()).isEqualTo(Duration.ofSeconds(5));
            assertThat(c.timing().fastInterval()).isEqualTo(Duration.ofSeconds(1));
            assertThat(c.timing().timeout()).isEqualTo(Duration.ofMillis(4999));
            assertThat(c.timing().rise()).isEqualTo(3);
            assertThat(c.timing().fall()).isEqualTo(3);
        });
        assertThat(imported.warnings()).hasSize(1).first().asString().startsWith("--withdraw-on-down: ");
    }

    @Test
    void converts_attributes_timing_maintenance_file_and_ipv6() throws Exception {
        Imported imported = convert("--name", "Web Front", "--cmd", "curl -sf -H 'Host: www.example' http://127.0.0.1:8080/health",
                "--ip", "203.0.113.80/32", "--ip", "2001:db8::80", "--interval", "2", "--fast-interval", "0.5", "--timeout", "1",
                "--rise", "2", "--fall", "4", "--disable", "/etc/exabgp/maintenance/web", "--community", "65000:100 65000:200",
                "--large-community", "65000:1:2", "--as-path", "65000 65000 65000", "--withdraw-on-down", "--up-metric", "50",
                "--increase", "0", "--dynamic-ip-setup", "--label", "web", "--no-ack", "--sudo");
        Importing.assertGolden("exabgp-healthcheck/attributes.expected.yaml", imported.yaml());
        RhidConfig config = Importing.load(imported);
        ServiceConfig web = config.services().get("web-front");
        assertThat(web.prefixes()).map(Object::toString).containsExactly("203.0.113.80/32", "2001:db8::80/128");
        assertThat(web.announce().up().communities()).map(Object::toString).containsExactly("65000:100", "65000:200");
        assertThat(web.announce().up().largeCommunities()).map(Object::toString).containsExactly("65000:1:2");
        assertThat(web.announce().up().med()).hasValue(50);
        assertThat(web.announce().up().prepend()).isEqualTo(2);
        assertThat(config.router().daemon()).isEqualTo(io.rhid.agent.config.RouterConfig.Daemon.EXABGP);
        assertThat(config.router().exabgp().asn()).hasValue(65000);
        assertThat(config.addresses().removeWhenDown()).isTrue();
        assertThat(web.checks()).extracting(c -> c.spec().type()).containsExactly("http", "file");
        assertThat(web.checks().get(0).timing().fall()).isEqualTo(4);
        assertThat(web.checks().get(0).timing().fastInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(imported.warnings()).isEmpty();
    }

    @Test
    void runs_a_command_with_shell_syntax_through_sh_and_recognises_nc() throws Exception {
        Imported shell = convert("--cmd", "pgrep nginx >/dev/null && test -f /run/nginx.pid", "--ip", "198.51.100.80",
                "--withdraw-on-down");
        assertThat(Importing.load(shell).services().get("healthcheck").checks().get(0).spec().fullTarget())
                .isEqualTo("/bin/sh -c pgrep nginx >/dev/null && test -f /run/nginx.pid");
        Imported nc = convert("--cmd", "nc -z 127.0.0.1 53", "--ip", "198.51.100.53", "--withdraw-on-down");
        assertThat(Importing.load(nc).services().get("healthcheck").checks().get(0).spec().type()).isEqualTo("tcp");
        assertThat(nc.warnings()).isEmpty();
    }

    @Test
    void marks_what_rhid_cannot_express_and_keeps_the_service_withdrawn_when_the_command_is_missing() throws Exception {
        Imported imported = convert("--cmd", "mysql -u check -e 'SELECT 1'", "--ip", "198.51.100.33", "--ip", "198.51.100.34",
                "--next-hop", "192.0.2.1", "--local-preference", "200", "--as-path", "64500 64501", "--community", "no-export",
                "--execute", "logger changed", "--interval", "0");
        Importing.assertGolden("exabgp-healthcheck/unsupported.expected.yaml", imported.yaml());
        RhidConfig config = Importing.load(imported);
        assertThat(config.services().get("healthcheck-1").checks().get(0).spec().target()).isEqualTo("/bin/false");
        assertThat(imported.warnings()).extracting(w -> w.substring(0, w.indexOf(':'))).containsExactly(
                "--interval", "--community", "--as-path", "--withdraw-on-down", "--cmd", "--next-hop",
                "--local-preference", "--execute");
    }

    @Test
    void refuses_arguments_healthcheck_itself_would_refuse() {
        assertThatThrownBy(() -> convert("--ip", "198.51.100.1/24", "--colour", "blue", "--interval", "soon", "--rise"))
                .isInstanceOfSatisfying(ImportException.class, e -> assertThat(e.errors()).containsExactly(
                        "argument --colour: unknown option",
                        "argument \"blue\": unexpected argument (healthcheck takes only options)",
                        "argument --rise: expects a value"));
        assertThatThrownBy(() -> convert("--ip", "198.51.100.1/24", "--interval", "soon"))
                .isInstanceOfSatisfying(ImportException.class, e -> assertThat(e.errors()).containsExactly(
                        "--ip 198.51.100.1/24: has host bits set (found \"198.51.100.1/24\", the network is 198.51.100.0/24)",
                        "--interval soon: must be a number of seconds"));
        assertThatThrownBy(() -> convert("--ip", "198.51.100.1", "--increase", "x"))
                .isInstanceOfSatisfying(ImportException.class, e -> assertThat(e.errors()).containsExactly(
                        "--increase x: must be a whole number"));
        assertThatThrownBy(() -> convert("run /usr/sbin/bird -c /etc/bird.conf;"))
                .isInstanceOf(ImportException.class).hasMessageContaining("not a healthcheck command line");
        assertThatThrownBy(() -> convert("--config", DIR.resolve("no-such.conf").toString()))
                .isInstanceOf(ImportException.class).hasMessageContaining("no-such.conf: cannot read");
    }

    @Test
    void keeps_healthchecks_med_steps_with_one_service_per_prefix_in_start_ip_order() throws Exception {
        Imported imported = convert("--name", "dns", "--cmd", "nc -z 127.0.0.1 53", "--withdraw-on-down", "--ip", "198.51.100.1",
                "--ip", "198.51.100.2", "--ip", "198.51.100.3", "--start-ip", "1", "--up-metric", "10", "--increase", "5");
        RhidConfig config = Importing.load(imported);
        assertThat(config.services()).containsOnlyKeys("dns-1", "dns-2", "dns-3");
        assertThat(List.of("dns-1", "dns-2", "dns-3")).map(n -> config.services().get(n).prefixes().get(0) + " "
                + config.services().get(n).announce().up().med().getAsLong())
                .containsExactly("198.51.100.2/32 10", "198.51.100.3/32 15", "198.51.100.1/32 20");
        assertThat(imported.warnings()).isEmpty();
    }

    @Test
    void accepts_abbreviated_options_and_equals_signs_as_argparse_does() throws Exception {
        Imported imported = convert("--ip=198.51.100.80", "--inter", "3", "--withdraw", "-n", "abbrev", "-t2");
        RhidConfig config = Importing.load(imported);
        assertThat(config.services().get("abbrev").checks().get(0).timing().interval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.services().get("abbrev").checks().get(0).timing().timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(imported.warnings()).isEmpty();
    }
}
