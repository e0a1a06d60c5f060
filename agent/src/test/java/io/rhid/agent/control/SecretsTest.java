package io.rhid.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.address.LoopbackApplier;
import io.rhid.agent.config.ConfigLoader;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.status.Metrics;
import io.rhid.agent.status.StatusServer;
import io.rhid.agent.testing.Configs;
import io.rhid.agent.testing.FakeInterface;
import io.rhid.agent.testing.FakeRouter;
import io.rhid.agent.testing.FixedSplay;
import io.rhid.agent.testing.ManualTimer;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets in check definitions never reach what other local users and remote systems see:
 * {@code /status} and {@code /metrics} over a real socket, and every log line, while real http
 * and exec probes run.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SecretsTest {

    private static final List<String> SECRETS = List.of("hunter2", "s3cret", "pw123");

    @TempDir
    Path stateDir;

    final ManualTimer timer = new ManualTimer();
    final MockWebServer web = new MockWebServer();
    final List<String> logs = new ArrayList<>();
    final Logger root = Logger.getLogger("io.rhid");
    final Handler capture = new Handler() {
        final SimpleFormatter format = new SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
            synchronized (logs) {
                logs.add(format.format(r));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    Level levelBefore;
    StatusServer server;

    @BeforeEach
    void start() throws Exception {
        web.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(302)
                        .setHeader("Location", "http://127.0.0.1:1/login?session=s3cret").build();
            }
        });
        web.start(InetAddress.getByName("127.0.0.1"), 0);
        levelBefore = root.getLevel();
        root.setLevel(Level.ALL);
        root.addHandler(capture);
    }

    @AfterEach
    void stop() {
        root.removeHandler(capture);
        root.setLevel(levelBefore);
        if (server != null) {
            server.close();
        }
        web.close();
        timer.close();
    }

    String run(String statusSection) throws Exception {
        String yaml = """
                router: { reconcile_interval: 1s }
                state_dir: %s
                status: %s
                defaults: { interval: 5s, fast_interval: 20ms, timeout: 2s, rise: 2, fall: 2 }
                services:
                  web:
                    prefixes: [203.0.113.80]
                    checks:
                      - { type: http, url: "http://admin:hunter2@127.0.0.1:%d/health?token=s3cret" }
                      - { type: exec, command: [/bin/sh, -c, "echo failed; exit 1", sh, --password=pw123] }
                """.formatted(stateDir, statusSection, web.getPort());
        ProbeTypes types = ProbeTypes.load();
        RhidConfig config = Configs.parse(types, yaml);
        Environment env = new Environment(timer, timer::millis, timer, Runnable::run, FixedSplay.NONE);
        FakeInterface lo = new FakeInterface(new ArrayList<>());
        ControlLoop loop = new ControlLoop(config, () -> new ConfigLoader(types).parse(Path.of("rhid.yaml"), yaml), types, env,
                new FakeRouter(), new LoopbackApplier(config.addresses(), config.stateDir(), lo.runner(), Duration.ofSeconds(1)),
                new Metrics(), "test");
        loop.start();
        loop.turn(0);
        timer.advanceMillis(5_000); // the second run of each: fall 2 reached, the reason names the check
        loop.turn(0);
        assertThat(loop.snapshot().services().get(0).checks()).allSatisfy(c -> assertThat(c.lastResult()).isEqualTo("fail"));
        server = StatusServer.start(new RhidConfig.Status("127.0.0.1", 0, false), loop::snapshot, new Metrics());
        HttpClient http = HttpClient.newHttpClient();
        StringBuilder shown = new StringBuilder();
        for (String path : List.of("/status", "/metrics")) {
            URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
            shown.append(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body());
        }
        loop.submit(new ControlLoop.Stop());
        loop.turn(0);
        return shown.toString();
    }

    @Test
    void status_metrics_and_logs_show_urls_without_credentials_or_query_values_and_commands_by_program() throws Exception {
        String shown = run("{}");

        assertThat(shown).contains("\"target\":\"http://***@127.0.0.1:" + web.getPort() + "/health?token=***\"",
                "\"target\":\"/bin/sh\"", "checks[0] http http://***@127.0.0.1:" + web.getPort() + "/health?token=***: status 302",
                "checks[1] exec /bin/sh: exit 1: failed");
        String all;
        synchronized (logs) {
            all = String.join("", logs);
        }
        assertThat(all).as("the probes ran and were logged").contains("http fail in", "status 302", "exit 1: failed");
        for (String secret : SECRETS) {
            assertThat(shown).as("status and metrics").doesNotContain(secret);
            assertThat(all).as("logs").doesNotContain(secret);
        }
    }

    @Test
    void show_commands_shows_exec_arguments_but_still_no_url_secrets() throws Exception {
        String shown = run("{ show_commands: true }");

        assertThat(shown).contains("\"target\":\"/bin/sh -c echo failed; exit 1 sh --password=pw123\"")
                .doesNotContain("hunter2").doesNotContain("s3cret");
    }
}
