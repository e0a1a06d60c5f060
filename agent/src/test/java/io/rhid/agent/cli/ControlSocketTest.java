package io.rhid.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The line scan of {@code control.socket} agrees with a YAML parser wherever it answers. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ControlSocketTest {

    /** Every YAML file in the repository (examples, test configs, packaging), and variants of them. */
    static Stream<String> documents() throws IOException {
        List<String> docs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of(".."))) {
            for (Path p : files.filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
                String text = Files.readString(p);
                docs.add(text);
                docs.add(text.replace("\n", "\r\n"));
                docs.add("control:\n  socket: /run/rhid/other.sock\n" + text);
                docs.add(text + "\ncontrol:\n  socket: '/run/rhid/last.sock'  # quoted\n");
            }
        }
        docs.addAll(List.of(
                "control:\n  socket: /run/x.sock\n",
                "control:\n  socket: \"/run/x.sock\"\n",
                "control:\n  socket: '/run/x.sock' # c\n",
                "control: # the socket\n    # a comment\n    socket: /run/x.sock # c\nservices: {}\n",
                "control:\n  socket: relative.sock\n",
                "control:\n  socket: yes\n",
                "control:\n  socket: ~\n",
                "control:\n  socket:\n",
                "control:\n  socket: /a\n  socket: /b\n",
                "control:\n  socket: /a\ncontrol:\n  socket: /b\n",
                "control: { socket: /run/x.sock }\n",
                "control: {socket: /run/x.sock, other: 1}  # c\n",
                "control: { other: 1 }\n",
                "control: {}\n",
                "control: { socket: /a, socket: /b }\n",
                "control: { socket: \"/run/x.sock\" }\n",
                "control: { socket: /run/x.sock } trailing\n",
                "control: { socket: /run/x.sock #c }\n",
                "control: { socket: /run/x.sock,\n  other: 1 }\n",
                "control: { socket: /run/x.sock }\n  socket: /b\n",
                "control: { socket: [/run/x.sock] }\n",
                "control: { socket: [\n",
                "control:\n  socket: /run/x.sock\n   more: 1\n",
                "control:\n  socket: /run/x.sock\n    continued\n",
                "control:\n  socket: /run/it's.sock\n",
                "control:\n  socket: '/run/it''s.sock'\n",
                "control:\n  socket: \"/run/\\u0078.sock\"\n",
                "control:\n\tsocket: /run/x.sock\n",
                "control:\n- /run/x.sock\n",
                "  control:\n    socket: /run/x.sock\n",
                "--- \ncontrol:\n  socket: /run/x.sock\n",
                "control:\n  socket: /run/x.sock\n---\ncontrol:\n  socket: /run/y.sock\n",
                "%YAML 1.1\n---\ncontrol:\n  socket: /run/x.sock\n",
                "control: &c\n  socket: /run/x.sock\n",
                "base: &b { socket: /run/b.sock }\ncontrol: *b\n",
                "control:\n  <<: { socket: /run/b.sock }\n",
                "services:\n- a\ncontrol:\n  socket: /run/x.sock\n",
                "- control:\n    socket: /run/x.sock\n",
                "\"control\":\n  socket: /run/x.sock\n",
                "control :\n  socket: /run/x.sock\n",
                "control:\n  \"socket\": /run/x.sock\n",
                "services: |\n  control:\n    socket: /run/no.sock\n",
                "",
                "# only a comment\n",
                "control:\n",
                "control:\nservices: {}\n",
                "control:\n  other: 1\n"));
        return docs.stream();
    }

    @ParameterizedTest
    @MethodSource("documents")
    void the_scan_answers_only_what_the_parser_says(String text) {
        Object scanned = ControlSocket.scan(text);
        Object parsed = ControlSocket.Parser.socket(text);
        if (scanned != ControlSocket.UNSURE && parsed != ControlSocket.UNSURE) {
            assertThat(scanned).as("scan of:\n%s", text).isEqualTo(parsed);
        }
    }

    @Test
    void the_scan_reads_the_configs_operators_write_without_the_parser() throws IOException {
        assertThat(ControlSocket.scan(Files.readString(Path.of("../examples/rhid.yaml")))).isEqualTo("/run/rhid/control.sock");
        assertThat(ControlSocket.scan(Files.readString(Path.of("../examples/minimal.yaml")))).isNull();
        assertThat(ControlSocket.scan("control:\n  socket: \"/run/x.sock\"  # quoted\n")).isEqualTo("/run/x.sock");
        assertThat(ControlSocket.scan("router: { daemon: bird }\r\ncontrol:\r\n  socket: /run/x.sock\r\n")).isEqualTo("/run/x.sock");
        assertThat(ControlSocket.scan("control: { socket: /run/x.sock }\nservices: {}\n")).isEqualTo("/run/x.sock");
    }

    @Test
    void a_file_broken_elsewhere_still_names_its_socket() {
        String text = "control:\n  socket: /run/x.sock\nservices:\n  web: [\n";
        assertThat(ControlSocket.Parser.socket(text)).isSameAs(ControlSocket.UNSURE);
        assertThat(ControlSocket.scan(text)).isEqualTo("/run/x.sock");
    }

    @Test
    void anything_unusual_goes_to_the_parser() {
        for (String text : List.of("control: { socket: [/run/x.sock] }\n", "control:\n  socket: yes\n",
                "control:\n  socket: relative\n", "---\ncontrol:\n  socket: /x\n", "control:\n\tsocket: /x\n", "")) {
            assertThat(ControlSocket.scan(text)).as(text).isSameAs(ControlSocket.UNSURE);
        }
    }
}
