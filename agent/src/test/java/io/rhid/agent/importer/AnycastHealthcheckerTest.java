package io.rhid.agent.importer;

import static io.rhid.agent.importer.Importing.FIXTURES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** anycast-healthchecker configs, from its README, its defaults and edge cases, converted and validated. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AnycastHealthcheckerTest {

    private static final Path DIR = FIXTURES.resolve("anycast-healthchecker");

    private static Imported convert(Path... paths) throws ImportException {
        return new AnycastHealthchecker(Importing.PROGRAMS).convert(AnycastHealthchecker.read(List.of(paths)));
    }

    @Test
    void converts_the_readme_example_with_its_conf_d_layout() throws ImportException {
        Imported imported = convert(DIR.resolve("readme/anycast-healthchecker.conf"), DIR.resolve("readme/anycast-healthchecker.d"));
        Importing.assertGolden("anycast-healthchecker/readme.expected.yaml", imported.yaml());
        assertThat(imported.warnings()).isEmpty();
        RhidConfig config = Importing.load(imported);
        assertThat(config.services()).containsOnlyKeys("foo-bar-com", "foo6-bar-com");
        ServiceConfig foo = config.services().get("foo-bar-com");
        assertThat(foo.prefixes()).map(Object::toString).containsExactly("10.52.12.1/32");
        assertThat(foo.checks()).singleElement().satisfies(c -> {
            assertThat(c.spec().type()).isEqualTo("http");
            assertThat(c.timing().interval()).isEqualTo(Duration.ofSeconds(10));
            assertThat(c.timing().timeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(c.timing().rise()).isEqualTo(2);
            assertThat(c.timing().fall()).isEqualTo(2);
        });
        ServiceConfig foo6 = config.services().get("foo6-bar-com");
        assertThat(foo6.prefixes()).map(Object::toString).containsExactly("fd12:aba6:57db:ffff::1/128");
        assertThat(foo6.checks()).singleElement().satisfies(c -> {
            assertThat(c.spec().target()).contains("[fd12:aba6:57db:ffff::1]:8888");
            // check_interval is not set: the tool's default is 10 seconds.
            assertThat(c.timing().interval()).isEqualTo(Duration.ofSeconds(10));
            assertThat(c.timing().timeout()).isEqualTo(Duration.ofSeconds(5));
        });
        assertThat(config.router().bird().includeFile()).isEqualTo(Path.of("/etc/bird/rhid.conf"));
    }

    @Test
    void applies_the_tools_defaults_where_keys_are_absent() throws ImportException {
        Imported imported = convert(DIR.resolve("defaults/services.conf"));
        Importing.assertGolden("anycast-healthchecker/defaults.expected.yaml", imported.yaml());
        assertThat(imported.warnings()).isEmpty();
        RhidConfig config = Importing.load(imported);
        // check_disabled defaults to true (with on_disabled withdraw): that service never announced.
        assertThat(config.services()).containsOnlyKeys("web-enabled");
        assertThat(imported.yaml()).contains("  # dns-default:\n");
        assertThat(config.services().get("web-enabled").checks()).singleElement().satisfies(c -> {
            assertThat(c.spec().type()).isEqualTo("http");
            assertThat(c.timing().interval()).isEqualTo(Duration.ofSeconds(10));
            assertThat(c.timing().timeout()).isEqualTo(Duration.ofSeconds(2));
        });
        assertThat(imported.yaml()).contains("expect_status: [100-599]");
    }

    @Test
    void converts_shared_prefixes_disabled_checks_ipv6_and_commands_with_warnings() throws ImportException {
        Imported imported = convert(DIR.resolve("edge/main.conf"), DIR.resolve("edge/conf.d"));
        Importing.assertGolden("anycast-healthchecker/edge.expected.yaml", imported.yaml());
        RhidConfig config = Importing.load(imported);
        assertThat(config.services()).containsOnlyKeys("resolver-tcp", "resolver-udp", "kept-up", "script", "missing-script");
        assertThat(config.services().get("resolver-tcp").checks().get(0).spec().type()).isEqualTo("tcp");
        assertThat(config.services().get("resolver-udp").checks().get(0).spec().type()).isEqualTo("dns");
        assertThat(config.services().get("resolver-udp").checks().get(0).timing().rise()).isEqualTo(3);
        assertThat(config.services().get("resolver-tcp").checks().get(0).timing().interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.services().get("kept-up").checks().get(0).spec().type()).isEqualTo("file");
        assertThat(config.services().get("script").checks().get(0).spec().fullTarget())
                .isEqualTo("/usr/bin/test -n 100% -a -z ");
        assertThat(config.services().get("missing-script").checks().get(0).spec().target()).isEqualTo("/bin/false");
        assertThat(config.router().bird().socket()).isEqualTo(Path.of("/run/bird/bird.ctl"));
        assertThat(config.safety().allowedPrefixes()).map(Object::toString)
                .containsExactly("192.0.2.0/23", "198.51.100.10/32", "203.0.113.7/32", "2001:db8:53::/48", "2001:db8:ffff::7/128");
        String edge = DIR.resolve("edge") + "/";
        assertThat(imported.warnings()).containsExactly(
                edge + "conf.d/10-shared.conf:2:1: [Resolver.TCP] ip_prefix: 198.51.100.10/32 is also the prefix of resolver-udp: "
                        + "rhid announces a shared prefix only while every service listing it is up (anycast-healthchecker 0.9 "
                        + "refuses such a config; older versions let the last check decide)",
                edge + "conf.d/10-shared.conf:6:1: [resolver.udp] ip_prefix: 198.51.100.10/32 is also the prefix of resolver-tcp: "
                        + "rhid announces a shared prefix only while every service listing it is up (anycast-healthchecker 0.9 "
                        + "refuses such a config; older versions let the last check decide)",
                edge + "conf.d/30-exec.conf:1:1: [script]: timeout 3s is longer than the interval; rhid needs it below the "
                        + "interval, so a check now fails after 1999ms",
                edge + "conf.d/30-exec.conf:8:1: [script] custom_bird_reconfigure_cmd: rhid does not run "
                        + "\"/usr/local/bin/reconfigure\" on changes; services.NAME.on_change runs a command after each state "
                        + "change is applied",
                edge + "conf.d/30-exec.conf:9:1: [script] colour: colour = blue: not an anycast-healthchecker setting; ignored",
                edge + "conf.d/30-exec.conf:11:1: [missing-script] check_cmd: /usr/local/lib/rhid-test/does-not-exist is not "
                        + "an executable file on this host; the check runs /bin/false instead, so the service stays withdrawn "
                        + "until you fix the command",
                edge + "main.conf:8:1: [daemon] bird_keep_changes: bird_keep_changes = true: rhid keeps no history of its "
                        + "include file");
    }

    @Test
    void refuses_input_it_cannot_read_and_names_every_problem() {
        Path broken = DIR.resolve("errors/broken.conf");
        assertThatThrownBy(() -> convert(DIR.resolve("errors/broken.conf")))
                .isInstanceOfSatisfying(ImportException.class, e -> assertThat(e.errors()).containsExactly(
                        broken + ":3:1: not a section header, a key = value line or a comment (found \"this line has no separator\")",
                        broken + ":5:1: [no-prefix] ip_prefix: is required",
                        broken + ":7:1: [no-prefix] check_interval: must be a number of seconds greater than 0 (found \"soon\")",
                        broken + ":10:1: [bad-prefix] check_cmd: cannot be split into words like a shell would: no closing quotation",
                        broken + ":11:1: [bad-prefix] ip_prefix: has host bits set (found \"198.51.100.1/24\", the network is "
                                + "198.51.100.0/24)",
                        broken + ":12:1: [bad-prefix] on_disabled: must be withdraw or advertise (found \"ignore\")"));
        assertThatThrownBy(() -> convert(DIR.resolve("errors/no-such.conf")))
                .isInstanceOfSatisfying(ImportException.class, e -> assertThat(e.errors()).containsExactly(
                        DIR.resolve("errors/no-such.conf") + ": cannot read: no such file"));
    }
}
