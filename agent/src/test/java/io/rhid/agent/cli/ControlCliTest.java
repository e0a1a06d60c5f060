package io.rhid.agent.cli;

import static io.rhid.agent.cli.CliTest.rhid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.control.ControlServer;
import io.rhid.agent.control.Operations;
import io.rhid.agent.status.StatusJson;
import io.rhid.agent.status.StatusSnapshot;
import io.rhid.agent.testing.FakeOperations;
import io.rhid.agent.testing.Snapshots;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** status, drain, resume, recheck and reload in-process, against a control socket with fake operations. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ControlCliTest {

    @TempDir
    Path dir;

    final FakeOperations ops = new FakeOperations(Snapshots.sample());
    ControlServer server;
    Path socket;

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("run/control.sock");
        server = ControlServer.start(new RhidConfig.Control(socket), ops);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    CliTest.Run run(String... args) {
        String[] withSocket = new String[args.length + 2];
        System.arraycopy(args, 0, withSocket, 0, args.length);
        withSocket[args.length] = "--socket";
        withSocket[args.length + 1] = socket.toString();
        return rhid(withSocket);
    }

    @Test
    void status_prints_a_table_of_services_then_reasons_then_the_router() {
        CliTest.Run r = run("status");
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).as("ntp is degraded and web down").isEqualTo(3);
        assertThat(r.out()).isEqualTo("""
                SERVICE  STATE     SINCE      CHECKS  ANNOUNCED (EXPORTED TO)
                dns      up        5m12s ago  2/2     198.51.100.53/32 (2), 2001:db8::53/128 (0)
                ntp      degraded  2h3m ago   1/2     198.51.100.123/32 (2)
                web      down      12s ago    0/1     -

                ntp: 1 of 2 checks failing: checks[1] exec /usr/local/bin/check-ntp: exit 1 (2/2 failures)
                web: checks[0] http http://127.0.0.1:8080/healthz: status 503 (2/2 failures)

                2001:db8::53/128: announced, exported to no established session

                router: bird, last apply ok 3s ago in 12.3ms, 3 prefixes announced
                exports: 2 established BGP sessions (upstream4, upstream6), asked 1s ago
                """);
    }

    @Test
    void status_json_prints_the_same_document_as_get_status() throws IOException {
        CliTest.Run r = run("status", "--json");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(StatusJson.mapper().readValue(r.out(), StatusSnapshot.class)).isEqualTo(Snapshots.sample());
        assertThat(r.out()).startsWith("{\n  \"version\" : \"0.1.0\",\n  \"generated_at_millis\" : 1700000000000,");
    }

    @Test
    void status_exits_0_only_when_every_service_is_up_and_the_last_apply_succeeded() {
        StatusSnapshot sample = Snapshots.sample();
        StatusSnapshot allUp = new StatusSnapshot(sample.version(), sample.generatedAtMillis(), sample.config(),
                List.of(sample.services().get(0)), sample.announced(), sample.router());
        assertThat(StatusCommand.allUp(allUp)).isTrue();
        assertThat(StatusCommand.allUp(sample)).isFalse();
        StatusSnapshot applyFailing = new StatusSnapshot(sample.version(), sample.generatedAtMillis(), sample.config(),
                List.of(sample.services().get(0)), sample.announced(),
                new StatusSnapshot.Router("bird", "error", 1, 1, "birdc: connection refused", 2, 0));
        assertThat(StatusCommand.allUp(applyFailing)).isFalse();
    }

    @Test
    void drain_and_resume_send_the_services_or_all_and_print_the_reply() {
        ops.replying(Operations.Reply.ok("dns: draining for 30s, then withdrawn"));
        CliTest.Run drain = run("drain", "dns");
        assertThat(drain.exit()).isZero();
        assertThat(drain.out()).isEqualTo("dns: draining for 30s, then withdrawn\n");
        assertThat(run("drain", "--all").exit()).isZero();
        assertThat(run("resume", "dns", "web").exit()).isZero();
        assertThat(run("resume", "--all").exit()).isZero();
        assertThat(ops.calls()).containsExactly("drain [dns]", "drain all", "resume [dns, web]", "resume all");
    }

    @Test
    void a_refusal_exits_1_with_the_daemons_message() {
        ops.replying(Operations.Reply.error("no service named nope (services: dns, ntp, web)"));
        CliTest.Run r = run("drain", "nope");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("rhid: no service named nope (services: dns, ntp, web)\n");
    }

    @Test
    void drain_and_resume_need_services_or_all_but_not_both() {
        assertThat(run("drain")).satisfies(r -> assertThat(r.exit()).isEqualTo(64))
                .satisfies(r -> assertThat(r.err()).isEqualTo("rhid: drain: give SERVICE names or --all\n"));
        assertThat(run("resume", "dns", "--all")).satisfies(r -> assertThat(r.exit()).isEqualTo(64))
                .satisfies(r -> assertThat(r.err()).isEqualTo("rhid: resume: give SERVICE names or --all, not both\n"));
        assertThat(run("status", "--bogus").exit()).isEqualTo(64);
        assertThat(ops.calls()).isEmpty();
    }

    @Test
    void recheck_defaults_to_every_service() {
        assertThat(run("recheck").exit()).isZero();
        assertThat(run("recheck", "web").out()).isEqualTo("done: recheck [web]\n");
        assertThat(ops.calls()).containsExactly("recheck []", "recheck [web]");
    }

    @Test
    void reload_prints_the_daemons_reply_and_a_refused_file_exits_1() {
        assertThat(run("reload").out()).isEqualTo("done: reload\n");
        ops.replying(Operations.Reply.error("reload refused, nothing changed: 1 error:\n"
                + "/etc/rhid/rhid.yaml:3:14: services.dns.rise: must be at least 1 (found 0)"));
        CliTest.Run r = run("reload");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("rhid: reload refused, nothing changed: 1 error:\n"
                + "/etc/rhid/rhid.yaml:3:14: services.dns.rise: must be at least 1 (found 0)\n");
    }

    @Test
    void nothing_listening_exits_69_saying_rhid_is_not_running() throws IOException {
        Path absent = dir.resolve("absent.sock");
        CliTest.Run r = rhid("status", "--socket", absent.toString());
        assertThat(r.exit()).isEqualTo(69);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("rhid is not running (no daemon at " + absent + ")\n");

        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(stale));
        }
        CliTest.Run drain = rhid("drain", "dns", "--socket", stale.toString());
        assertThat(drain.exit()).isEqualTo(69);
        assertThat(drain.err()).isEqualTo("rhid is not running (no daemon at " + stale + ")\n");
    }

    @Test
    void a_daemon_that_accepts_but_never_replies_is_unavailable() throws IOException {
        Path mute = dir.resolve("mute.sock");
        try (ServerSocketChannel never = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            never.bind(UnixDomainSocketAddress.of(mute));
            ControlClient client = new ControlClient(mute, Duration.ofMillis(100));
            assertThatThrownBy(() -> client.call(ControlClient.request("status", List.of(), false)))
                    .isInstanceOf(CliException.class)
                    .hasMessage("rhid at " + mute + " did not reply within 100ms")
                    .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(69));
        }
    }

    @Test
    void the_socket_comes_from_the_config_files_control_socket() throws IOException {
        Path config = Files.writeString(dir.resolve("rhid.yaml"), """
                control:
                  socket: %s
                services:
                  dns:
                    prefixes: [198.51.100.53/32]
                    checks: [{ type: tcp, address: "127.0.0.1:53" }]
                """.formatted(socket));
        CliTest.Run r = rhid("reload", "-c", config.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(ops.calls()).containsExactly("reload");
    }

    @Test
    void a_config_file_invalid_elsewhere_still_finds_the_socket_without_loading_the_rest() throws IOException {
        Path config = Files.writeString(dir.resolve("rhid.yaml"), """
                control:
                  socket: %s
                services:
                  dns:
                    prefixes: [198.51.100.53/32]
                    rise: 0
                    checks: [{ type: tcp, address: "127.0.0.1:53" }]
                """.formatted(socket));
        CliTest.Run r = rhid("resume", "--all", "-c", config.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(ops.calls()).containsExactly("resume all");
    }

    @Test
    void an_unusable_socket_or_broken_yaml_falls_back_to_the_default_and_warns() throws IOException {
        Path relative = Files.writeString(dir.resolve("relative.yaml"), "control: { socket: run/control.sock }\n");
        assertThat(ControlSocket.lookup(relative)).isEqualTo(new ControlSocket.Lookup(ControlSocket.DEFAULT,
                relative + ": control.socket must be an absolute path (found run/control.sock)"));
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "control: { socket: [\n");
        assertThat(ControlSocket.lookup(broken).warning()).isEqualTo(broken + ": not valid YAML (rhid check-config says where)");
        Path absent = Files.writeString(dir.resolve("nocontrol.yaml"), "services: {}\n");
        assertThat(ControlSocket.lookup(absent)).isEqualTo(new ControlSocket.Lookup(ControlSocket.DEFAULT, null));
    }

    @Test
    void a_missing_config_file_falls_back_to_the_default_socket() {
        assertThat(ControlSocket.lookup(dir.resolve("absent.yaml")).socket()).isEqualTo(Path.of("/run/rhid/control.sock"));
        CliTest.Run r = rhid("status", "-c", dir.resolve("absent.yaml").toString());
        assertThat(r.err()).startsWith("rhid: warning: " + dir.resolve("absent.yaml") + ": cannot read: no such file; "
                + "using control socket /run/rhid/control.sock\n");
        assertThat(r.exit()).isEqualTo(69);
    }
}
