package io.rhid.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.control.ControlServer;
import io.rhid.agent.control.Operations;
import io.rhid.agent.testing.FakeOperations;
import io.rhid.agent.testing.Snapshots;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands without picocli behave exactly as through it, leave everything unusual to
 * it, and load none of the heavy libraries.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LeanClientTest {

    @TempDir
    Path dir;

    final FakeOperations ops = new FakeOperations(Snapshots.sample());
    ControlServer server;
    Path socket;
    Path config;

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("run/control.sock");
        server = ControlServer.start(new RhidConfig.Control(socket), ops);
        config = Files.writeString(dir.resolve("rhid.yaml"), "control:\n  socket: " + socket + "\nservices: {}\n");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static CliTest.Run lean(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Integer exit = LeanClient.run(args, new PrintWriter(out), new PrintWriter(err));
        assertThat(exit).as("handled without picocli: %s", List.of(args)).isNotNull();
        return new CliTest.Run(exit, out.toString(), err.toString());
    }

    @Test
    void every_plain_client_command_line_prints_and_exits_as_under_picocli() {
        String s = socket.toString();
        String c = config.toString();
        String absent = dir.resolve("absent.sock").toString();
        List<List<String>> lines = List.of(
                List.of("status", "--socket", s), List.of("status", "--json", "--socket=" + s), List.of("status", "-c", c),
                List.of("status", "--config", c, "--json"), List.of("status", "--config=" + c),
                List.of("status", "-c", dir.resolve("absent.yaml").toString()), List.of("status", "--socket", absent),
                List.of("drain", "dns", "--socket", s), List.of("drain", "--all", "-c", c), List.of("drain", "-c", c),
                List.of("drain", "dns", "--all", "-c", c), List.of("resume", "dns", "web", "-c", c),
                List.of("resume", "--socket", absent, "--all"), List.of("recheck", "-c", c), List.of("recheck", "web", "-c", c),
                List.of("reload", "-c", c), List.of("reload", "--socket", s));
        for (List<String> line : lines) {
            String[] args = line.toArray(String[]::new);
            int before = ops.calls().size();
            CliTest.Run lean = lean(args);
            List<String> leanCalls = new ArrayList<>(ops.calls().subList(before, ops.calls().size()));
            CliTest.Run picocli = CliTest.rhid(args);
            assertThat(lean).as("%s", line).isEqualTo(picocli);
            assertThat(leanCalls).as("%s", line).isEqualTo(ops.calls().subList(before + leanCalls.size(), ops.calls().size()));
        }
        for (String version : List.of("--version", "-V")) {
            assertThat(lean(version)).isEqualTo(CliTest.rhid(version)).satisfies(r -> assertThat(r.out()).startsWith("rhid 0"));
        }
        ops.replying(Operations.Reply.error("no service named nope (services: dns, ntp, web)"));
        assertThat(lean("drain", "nope", "-c", c)).isEqualTo(CliTest.rhid("drain", "nope", "-c", c))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(1));
        assertThat(lean("resume", "--all", "--socket", s)).isEqualTo(CliTest.rhid("resume", "--all", "--socket", s));
    }

    @Test
    void help_version_and_anything_unusual_is_left_to_picocli() {
        for (List<String> line : List.<List<String>>of(List.of(), List.of("run"), List.of("--help"), List.of("status", "--help"),
                List.of("status", "-h"), List.of("status", "-V"), List.of("drain", "--version"), List.of("status", "--bogus"),
                List.of("status", "web"), List.of("reload", "web"), List.of("status", "--all"), List.of("recheck", "--all"),
                List.of("drain", "--json"), List.of("status", "--json", "--json"), List.of("status", "-c", "a", "-c", "b"),
                List.of("status", "--socket", "a", "--socket=b"), List.of("status", "-c"), List.of("status", "-c", "--json"),
                List.of("status", "-cfile"), List.of("status", "-c=file"), List.of("status", "--config="),
                List.of("status", "--json=true"), List.of("status", "@args"), List.of("status", "-c", "@args"),
                List.of("drain", "--", "dns"), List.of("drain", ""), List.of("drain", "-x"), List.of("Status"))) {
            assertThat(LeanClient.parse(line.toArray(String[]::new))).as("%s", line).isNull();
        }
        assertThat(LeanClient.parse(new String[] {"drain", "dns", "--all", "web"}))
                .isEqualTo(new LeanClient.Args("drain", Path.of(ConfigOption.DEFAULT), null, false, true, List.of("dns", "web")));
        assertThat(ops.calls()).isEmpty();
    }

    /**
     * The regression this class exists for: {@code rhid status} in a fresh JVM, as the launcher
     * starts it, must not load picocli, Jackson, SnakeYAML, SLF4J or OkHttp again; each of them
     * costs the call tens of milliseconds.
     */
    @Test
    void rhid_status_in_a_fresh_jvm_loads_none_of_the_heavy_libraries() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xlog:class+load=info:stdout",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "status", "-c", config.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("rhid status ends").isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(3);
        assertThat(output).as("it talked to the daemon").contains("router: bird, last apply ok 3s ago in 12.3ms");
        List<String> loaded = output.lines().filter(l -> l.contains("[class,load]"))
                .map(l -> l.replaceFirst(".*\\[class,load\\] (\\S+).*", "$1")).toList();
        assertThat(loaded).as("classes loaded").contains(LeanClient.class.getName(), Json.class.getName());
        assertThat(loaded).as("heavy libraries loaded by rhid status").noneMatch(name -> name.startsWith("picocli.")
                || name.startsWith("com.fasterxml.") || name.startsWith("org.yaml.") || name.startsWith("org.slf4j.")
                || name.startsWith("okhttp3.") || name.startsWith("kotlin.") || name.startsWith("java.util.logging."));
    }
}
