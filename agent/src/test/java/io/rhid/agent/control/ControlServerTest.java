package io.rhid.agent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.rhid.agent.status.StatusJson;
import io.rhid.agent.testing.FakeOperations;
import io.rhid.agent.testing.Snapshots;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The control socket over a real Unix domain socket, with fake operations behind it. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ControlServerTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    final FakeOperations ops = new FakeOperations(Snapshots.sample());
    final List<ControlServer> servers = new ArrayList<>();

    @AfterEach
    void close() {
        servers.forEach(ControlServer::close);
    }

    Path socket() {
        return dir.resolve("control.sock");
    }

    ControlServer start(Path socket, Duration timeout) throws IOException {
        ControlServer s = ControlServer.start(socket, ops, timeout);
        servers.add(s);
        return s;
    }

    ControlServer start() throws IOException {
        return start(socket(), WAIT);
    }

    static String send(Path socket, String line) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ControlProtocol.writeLine(ch, line, WAIT);
            return ControlProtocol.readLine(ch, ControlProtocol.MAX_REPLY_BYTES, WAIT);
        }
    }

    @Test
    void status_replies_with_the_snapshot_as_in_get_status() throws IOException {
        start();
        JsonNode reply = StatusJson.mapper().readTree(send(socket(), "{\"command\":\"status\"}"));
        assertThat(reply.fieldNames()).toIterable().containsExactly("ok", "status");
        assertThat(reply.get("ok").booleanValue()).isTrue();
        assertThat(reply.get("status")).hasToString(StatusJson.mapper().writeValueAsString(Snapshots.sample()));
    }

    @Test
    void each_command_reaches_its_operation_and_the_reply_comes_back() throws IOException {
        start();
        assertThat(send(socket(), "{\"command\":\"drain\",\"services\":[\"dns\",\"web\"],\"all\":false}"))
                .isEqualTo("{\"ok\":true,\"message\":\"done: drain [dns, web]\"}");
        assertThat(send(socket(), "{\"command\":\"resume\",\"all\":true}"))
                .isEqualTo("{\"ok\":true,\"message\":\"done: resume all\"}");
        assertThat(send(socket(), "{\"command\":\"recheck\"}")).isEqualTo("{\"ok\":true,\"message\":\"done: recheck []\"}");
        assertThat(send(socket(), "{\"command\":\"recheck\",\"services\":[\"web\"]}"))
                .isEqualTo("{\"ok\":true,\"message\":\"done: recheck [web]\"}");
        assertThat(send(socket(), "{\"command\":\"reload\"}")).isEqualTo("{\"ok\":true,\"message\":\"done: reload\"}");
        assertThat(ops.calls()).containsExactly("drain [dns, web]", "resume all", "recheck []", "recheck [web]", "reload");
    }

    @Test
    void a_refusal_is_an_ok_false_reply_with_the_loops_message() throws IOException {
        start();
        ops.replying(Operations.Reply.error("no service named nope (services: dns, ntp, web)"));
        assertThat(send(socket(), "{\"command\":\"drain\",\"services\":[\"nope\"]}"))
                .isEqualTo("{\"ok\":false,\"message\":\"no service named nope (services: dns, ntp, web)\"}");
    }

    @Test
    void a_loop_that_does_not_answer_in_time_gets_an_error_reply() throws IOException {
        start(socket(), Duration.ofMillis(50));
        ops.replying(call -> new CompletableFuture<>());
        assertThat(send(socket(), "{\"command\":\"drain\",\"services\":[\"dns\"]}")).isEqualTo("{\"ok\":false,\"message\":"
                + "\"no reply from the control loop within 50ms; the drain may still take effect (check rhid status)\"}");
    }

    @Test
    void a_failed_operation_is_reported() throws IOException {
        start();
        ops.replying(call -> CompletableFuture.failedFuture(new IllegalStateException("loop crashed")));
        assertThat(send(socket(), "{\"command\":\"reload\"}"))
                .isEqualTo("{\"ok\":false,\"message\":\"reload failed: loop crashed\"}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "drain please|malformed request: not JSON: Unrecognized token 'drain': was expecting "
                    + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
            "[\"drain\"]|malformed request: must be a JSON object such as {\"command\":\"status\"}",
            "{}|malformed request: \"command\" must be one of status, drain, resume, recheck, reload",
            "{\"command\":7}|malformed request: \"command\" must be one of status, drain, resume, recheck, reload",
            "{\"command\":\"explode\"}|unknown command \"explode\" (commands: status, drain, resume, recheck, reload)",
            "{\"command\":\"reload\",\"force\":true}|malformed request: unknown field \"force\" (fields: command, services, all)",
            "{\"command\":\"drain\"}|drain needs service names or all",
            "{\"command\":\"resume\",\"services\":[]}|resume needs service names or all",
            "{\"command\":\"drain\",\"services\":[\"dns\"],\"all\":true}|drain takes service names or all, not both",
            "{\"command\":\"drain\",\"services\":\"dns\"}|malformed request: \"services\" must be a list of service names",
            "{\"command\":\"drain\",\"services\":[1]}|malformed request: \"services\" must be a list of service names",
            "{\"command\":\"drain\",\"all\":\"yes\"}|malformed request: \"all\" must be true or false",
            "{\"command\":\"status\",\"all\":true}|status takes no services",
            "{\"command\":\"reload\",\"services\":[\"dns\"]}|reload takes no services",
            "{\"command\":\"recheck\",\"services\":[\"dns\"],\"all\":true}|recheck takes service names or all, not both",
    })
    void malformed_requests_get_a_reply_that_says_what_is_wrong(String request, String message) throws IOException {
        start();
        JsonNode reply = StatusJson.mapper().readTree(send(socket(), request));
        assertThat(reply.get("ok").booleanValue()).isFalse();
        assertThat(reply.get("message").textValue()).isEqualTo(message);
        assertThat(ops.calls()).isEmpty();
    }

    @Test
    void a_request_longer_than_the_limit_is_refused() throws IOException {
        start();
        String huge = "{\"command\":\"drain\",\"services\":[\"" + "a".repeat(ControlProtocol.MAX_REQUEST_BYTES) + "\"]}";
        assertThat(send(socket(), huge)).isEqualTo("{\"ok\":false,\"message\":\"malformed request: line longer than "
                + ControlProtocol.MAX_REQUEST_BYTES + " bytes\"}");
    }

    @Test
    void the_socket_is_mode_0660_in_a_directory_created_for_it() throws IOException {
        Path socket = dir.resolve("run/rhid/control.sock");
        start(socket, WAIT);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
        assertThat(send(socket, "{\"command\":\"reload\"}")).contains("\"ok\":true");
    }

    @Test
    void a_stale_socket_file_is_replaced() throws IOException {
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(socket()));
        }
        assertThat(socket()).exists(); // closing a Unix server socket leaves its file behind
        start();
        assertThat(send(socket(), "{\"command\":\"reload\"}")).contains("\"ok\":true");
    }

    @Test
    void it_refuses_to_start_while_another_rhid_answers_and_leaves_that_one_alone() throws IOException {
        start();
        assertThatThrownBy(() -> start())
                .isInstanceOf(IOException.class)
                .hasMessage("control.socket " + socket() + ": another rhid is running (it answers on this socket)");
        assertThat(send(socket(), "{\"command\":\"reload\"}")).contains("\"ok\":true");
    }

    @Test
    void it_refuses_to_replace_a_file_that_is_not_a_socket() throws IOException {
        Files.writeString(socket(), "important");
        assertThatThrownBy(() -> start())
                .isInstanceOf(IOException.class)
                .hasMessage("control.socket " + socket() + ": exists and is not a socket; refusing to replace it");
        assertThat(socket()).hasContent("important");
    }

    @Test
    void close_removes_the_socket_file_unless_another_server_replaced_it() throws IOException {
        ControlServer first = start();
        first.close();
        assertThat(socket()).doesNotExist();

        ControlServer second = start();
        Files.delete(socket()); // e.g. removed by hand, then a new rhid started
        start();
        second.close();
        assertThat(socket()).exists();
        assertThat(send(socket(), "{\"command\":\"reload\"}")).contains("\"ok\":true");
    }
}
