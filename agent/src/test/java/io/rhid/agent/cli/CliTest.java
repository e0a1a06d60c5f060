package io.rhid.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI in-process: exit codes and what operators read. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CliTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run rhid(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void check_config_prints_a_summary_and_exits_0_on_a_valid_file() throws IOException {
        Path file = write("ok.yaml", """
                services:
                  dns:
                    prefixes: [198.51.100.53/32, "2001:db8::53"]
                    checks:
                      - { type: tcp, address: "127.0.0.1:53" }
                      - { type: file, path: /etc/rhid/maintenance/dns }
                """);
        Run r = rhid("check-config", "-c", file.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(file + ": ok: 1 service, 2 checks, 2 prefixes, daemon bird\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void check_config_prints_every_error_with_its_position_and_exits_78() throws IOException {
        Path file = write("bad.yaml", """
                router:
                  reconcile_interval: 10
                services:
                  dns:
                    prefixes: [198.51.100.1/24]
                    policy: 2
                    checks:
                      - { type: tcp, address: "127.0.0.1:53", timeout: 5s }
                  Web:
                    prefixes: [203.0.113.80]
                    checks:
                      - { type: http, url: "ftp://127.0.0.1/" }
                """);
        Run r = rhid("check-config", "-c", file.toString());
        assertThat(r.exit()).isEqualTo(78);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(String.join("\n",
                file + ":2:23: router.reconcile_interval: must be a duration with a unit, such as 250ms, 2s or 1m (found 10)",
                file + ":5:16: services.dns.prefixes[0]: has host bits set (found \"198.51.100.1/24\", the network is 198.51.100.0/24)",
                file + ":6:13: services.dns.policy: must be all, any or 1 (the number of checks) (found 2)",
                file + ":8:56: services.dns.checks[0].timeout: must be less than interval (timeout=5s, interval=2s)",
                file + ":9:3: services.Web: service name must match [a-z0-9][a-z0-9_-]{0,62} (found \"Web\")",
                file + ":12:28: services.Web.checks[0].url: scheme must be http or https (found ftp)",
                "6 errors", ""));
    }

    @Test
    void check_config_reports_a_missing_file_without_a_stack_trace() {
        Run r = rhid("check-config", "-c", dir.resolve("absent.yaml").toString());
        assertThat(r.exit()).isEqualTo(78);
        assertThat(r.err()).isEqualTo(dir.resolve("absent.yaml") + ": cannot read: no such file\n1 error\n");
    }

    @Test
    void probe_prints_one_line_per_check_and_exits_1_when_any_fails() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (MockWebServer web = new MockWebServer()) {
            web.enqueue(new MockResponse.Builder().code(200).body("ok").build());
            web.start();
            Path file = write("probe.yaml", """
                    services:
                      web:
                        prefixes: [203.0.113.80]
                        checks:
                          - { type: http, url: "http://127.0.0.1:%d/healthz" }
                          - { type: tcp, address: "127.0.0.1:%d" }
                          - { type: exec, command: [/bin/sh, -c, "echo no backend >&2; exit 2"] }
                    """.formatted(web.getPort(), closedPort));
            Run r = rhid("probe", "-c", file.toString());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out().lines().toList()).hasSize(4);
            assertThat(r.out().lines().skip(1).toList()).satisfiesExactly(
                    l -> assertThat(l).matches("web +http +pass +\\d+\\.\\dms  status 200"),
                    l -> assertThat(l).matches("web +tcp +FAIL +\\d+\\.\\dms  connect refused"),
                    l -> assertThat(l).matches("web +exec +FAIL +\\d+\\.\\dms  exit 2: no backend"));
        }
    }

    @Test
    void probe_exits_0_when_every_check_passes_and_can_select_a_service() throws IOException {
        Path file = write("pass.yaml", """
                services:
                  a:
                    prefixes: [203.0.113.1]
                    checks:
                      - { type: file, path: %s }
                  b:
                    prefixes: [203.0.113.2]
                    checks:
                      - { type: exec, command: [/bin/false] }
                """.formatted(dir.resolve("no-maintenance")));
        Run r = rhid("probe", "-c", file.toString(), "a");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("a ").doesNotContain("b ");
        assertThat(rhid("probe", "-c", file.toString(), "c").err()).contains("no service named c");
    }

    @Test
    void render_prints_the_bird_include_file_for_assumed_states() throws IOException {
        Path file = write("render.yaml", """
                services:
                  dns:
                    prefixes: [198.51.100.53/32]
                    announce: { up: { med: 100 } }
                    checks:
                      - { type: tcp, address: "127.0.0.1:53" }
                  web:
                    prefixes: [203.0.113.80]
                    checks:
                      - { type: tcp, address: "127.0.0.1:80" }
                """);
        Run up = rhid("render", "-c", file.toString());
        assertThat(up.exit()).isZero();
        assertThat(up.out()).contains("route 198.51.100.53/32 blackhole;", "route 203.0.113.80/32 blackhole;", "bgp_med = 100;");

        Run webDown = rhid("render", "-c", file.toString(), "--assume", "web=down");
        assertThat(webDown.out()).contains("route 198.51.100.53/32 blackhole;").doesNotContain("203.0.113.80");

        Run addresses = rhid("render", "-c", file.toString(), "--assume", "down", "--addresses");
        assertThat(addresses.out()).isEqualTo("198.51.100.53/32\n203.0.113.80/32\n");

        assertThat(rhid("render", "-c", file.toString(), "--assume", "sideways").exit()).isEqualTo(64);
    }

    @Test
    void exits_64_on_an_unknown_option_in_any_command() {
        assertThat(rhid("check-config", "--bogus").exit()).isEqualTo(64);
        assertThat(rhid("run", "--bogus").exit()).isEqualTo(64);
        assertThat(rhid("--bogus").exit()).isEqualTo(64);
    }

    @Test
    void run_exits_73_when_its_status_address_is_taken_before_applying_anything() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path include = dir.resolve("rhid.conf");
            Path config = write("rhid.yaml", """
                    router: { bird: { include_file: %s, socket: %s } }
                    addresses: { manage: false }
                    status: { listen: "127.0.0.1:%d" }
                    control: { socket: %s }
                    state_dir: %s
                    services:
                      web:
                        prefixes: [203.0.113.80]
                        checks: [{ type: tcp, address: "127.0.0.1:9" }]
                    """.formatted(include, dir.resolve("bird.ctl"), taken.getLocalPort(), dir.resolve("control.sock"),
                    dir.resolve("state")));
            Run r = rhid("run", "-c", config.toString());
            assertThat(r.exit()).isEqualTo(73);
            assertThat(r.err()).contains("cannot listen");
            assertThat(include).as("nothing applied").doesNotExist();
        } finally {
            java.util.logging.LogManager.getLogManager().reset();
        }
    }

    @Test
    void client_commands_built_alone_take_the_same_options_as_under_rhid() {
        picocli.CommandLine full = Main.commandLine();
        for (String name : List.of("status", "drain", "resume", "recheck", "reload")) {
            picocli.CommandLine alone = Main.clientCommand(name);
            assertThat(alone).as(name).isNotNull();
            assertThat(alone.getCommandName()).isEqualTo("rhid " + name);
            assertThat(alone.getCommandSpec().options().stream().map(o -> o.longestName()).toList())
                    .as(name).isEqualTo(full.getSubcommands().get(name).getCommandSpec().options().stream()
                            .map(o -> o.longestName()).toList());
            assertThat(alone.getCommandSpec().exitCodeOnInvalidInput()).isEqualTo(64);
        }
        assertThat(Main.clientCommand("run")).as("everything else goes through the full model").isNull();
        assertThat(Main.execute("status", "--bogus")).isEqualTo(64);
    }

    @Test
    void version_is_printed() {
        Run r = rhid("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("rhid ");
    }
}
