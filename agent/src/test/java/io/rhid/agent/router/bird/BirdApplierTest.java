package io.rhid.agent.router.bird;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.health.ServiceState;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.plan.Planner;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.Drift;
import io.rhid.agent.testing.Configs;
import io.rhid.agent.testing.FakeCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BIRD applier against scripted birdc replies (the real daemon is in BirdIT). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BirdApplierTest {

    static final String READY = "BIRD 2.0.12 ready.\n";

    @TempDir
    Path dir;

    RhidConfig config;
    DesiredState up;
    final List<String> held4 = new ArrayList<>();
    String checkReply = READY + "Reading configuration from /etc/bird/bird.conf\nConfiguration OK\n";
    int checkExit = 0;
    String configureReply = READY + "Reading configuration from /etc/bird/bird.conf\nReconfigured\n";
    int configureExit = 0;
    FakeCommandRunner birdc;

    @BeforeEach
    void setUp() {
        config = Configs.parse("""
                router: { bird: { include_file: %s/rhid.conf } }
                services:
                  web:
                    prefixes: [203.0.113.80]
                    checks: [{ type: tcp, address: "127.0.0.1:80" }]
                """.formatted(dir));
        up = Planner.plan(config, Map.of("web", ServiceState.UP));
        birdc = new FakeCommandRunner((argv, stdin) -> {
            String command = String.join(" ", argv.subList(3, argv.size()));
            return switch (command) {
                case "configure check" -> FakeCommandRunner.failed(argv, checkExit, checkReply);
                case "configure" -> {
                    if (configureExit == 0) {
                        // what BIRD would now hold: the routes in the file it just read
                        held4.clear();
                        held4.addAll(routesInFile());
                    }
                    yield FakeCommandRunner.failed(argv, configureExit, configureReply);
                }
                case "show route protocol rhid4" -> FakeCommandRunner.ok(argv, READY + "Table master4:\n"
                        + String.join("", held4.stream().map(p -> p + "     blackhole [rhid4 23:31:58.253] * (200)\n").toList()));
                case "show route protocol rhid6" -> FakeCommandRunner.ok(argv, READY);
                default -> FakeCommandRunner.ok(argv, READY + "rhid4: disabled\n");
            };
        });
    }

    List<String> routesInFile() {
        try {
            return Files.readAllLines(dir.resolve("rhid.conf")).stream().filter(l -> l.startsWith("\troute "))
                    .map(l -> l.split(" ")[1]).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    BirdApplier applier() {
        return new BirdApplier(config.router().bird(),
                BirdCommands.birdc(Path.of("/usr/sbin/birdc"), Path.of("/run/bird/bird.ctl"), birdc, Duration.ofSeconds(1)));
    }

    List<String> commands() {
        return birdc.calls().stream().map(c -> String.join(" ", c.argv().subList(1, c.argv().size()))).toList();
    }

    @Test
    void writes_validates_applies_and_verifies_in_that_order() throws Exception {
        applier().apply(up);
        assertThat(Files.readString(dir.resolve("rhid.conf"))).contains("route 203.0.113.80/32 blackhole;");
        String socket = "-s /run/bird/bird.ctl ";
        // The first apply enables rhid's protocols after the configure (a withdrawal that could not
        // write the file disabled them), never before: the old file's routes would come back.
        assertThat(commands()).containsExactly(socket + "configure check", socket + "configure",
                socket + "enable rhid4", socket + "enable rhid6",
                socket + "show route protocol rhid4", socket + "show route protocol rhid6");
    }

    @Test
    void enables_the_protocols_only_on_the_first_apply() throws Exception {
        BirdApplier bird = applier();
        bird.apply(DesiredState.EMPTY);
        bird.apply(up);
        assertThat(commands().stream().filter(c -> c.contains("enable"))).hasSize(2);
    }

    @Test
    void restores_the_last_good_file_when_validation_fails() throws Exception {
        BirdApplier bird = applier();
        bird.apply(DesiredState.EMPTY);
        String good = Files.readString(dir.resolve("rhid.conf"));
        checkExit = 1;
        checkReply = READY + "Reading configuration from /etc/bird/bird.conf\n/etc/bird/bird.conf:31:1 syntax error, unexpected CF_SYM_UNDEFINED\n";

        assertThatThrownBy(() -> bird.apply(up)).isInstanceOf(ApplyException.class)
                .hasMessage("BIRD: configure check failed (exit 1): BIRD 2.0.12 ready. | Reading configuration from "
                        + "/etc/bird/bird.conf | /etc/bird/bird.conf:31:1 syntax error, unexpected CF_SYM_UNDEFINED");
        assertThat(Files.readString(dir.resolve("rhid.conf"))).isEqualTo(good);
        assertThat(commands().subList(6, commands().size())).as("nothing applied after the failed check")
                .containsExactly("-s /run/bird/bird.ctl configure check");
    }

    @Test
    void restores_the_last_good_file_when_configure_is_refused() throws Exception {
        BirdApplier bird = applier();
        bird.apply(DesiredState.EMPTY);
        String good = Files.readString(dir.resolve("rhid.conf"));
        configureExit = 1;
        configureReply = READY + "Reading configuration from /etc/bird/bird.conf\n/etc/bird/rhid.conf:1:64 syntax error\n";

        assertThatThrownBy(() -> bird.apply(up)).hasMessageStartingWith("BIRD: configure failed (exit 1): ");
        assertThat(Files.readString(dir.resolve("rhid.conf"))).isEqualTo(good);
    }

    @Test
    void accepts_bird_3s_reply_to_configure() {
        assertThat(BirdApplier.reconfigured("BIRD 3.0.0 ready.\nReconfiguration in progress\n")).isTrue();
        assertThat(BirdApplier.reconfigured("BIRD 2.0.12 ready.\nReconfigured\n")).isTrue();
        assertThat(BirdApplier.reconfigured("BIRD 2.0.12 ready.\nsyntax error\n")).isFalse();
    }

    @Test
    void reports_routes_bird_does_not_hold_after_configure() {
        configureReply = READY + "Reconfigured\n";
        BirdApplier bird = new BirdApplier(config.router().bird(), BirdCommands.birdc(Path.of("/usr/sbin/birdc"),
                Path.of("/run/bird/bird.ctl"), new FakeCommandRunner((argv, stdin) -> {
            String command = String.join(" ", argv.subList(3, argv.size()));
            return switch (command) {
                case "configure check" -> FakeCommandRunner.ok(argv, "Configuration OK\n");
                case "configure" -> FakeCommandRunner.ok(argv, "Reconfigured\n");
                default -> FakeCommandRunner.ok(argv, READY); // holds nothing, even after enable
            };
        }), Duration.ofSeconds(1)));
        assertThatThrownBy(() -> bird.apply(up)).hasMessage(
                "BIRD does not hold the routes rhid wrote: rhid4 holds 0 routes, expected 1, missing 203.0.113.80/32");
    }

    @Test
    void finds_a_file_edited_by_hand_and_routes_bird_lost() throws Exception {
        BirdApplier bird = applier();
        bird.apply(up);
        assertThat(bird.drift(up)).isEmpty();

        Files.writeString(dir.resolve("rhid.conf"), "# emptied by hand\n");
        held4.clear();
        assertThat(bird.drift(up)).extracting(Drift::kind).containsExactly("file", "routes");
    }

    @Test
    void withdraw_all_disables_the_protocols_when_bird_refuses_to_reconfigure() throws Exception {
        configureExit = 1;
        configureReply = READY + "/etc/bird/bird.conf:31:1 syntax error\n";
        String done = applier().withdrawAll();
        assertThat(done).contains("BIRD refused to reconfigure", "rhid4 and rhid6 were disabled instead");
        assertThat(commands()).endsWith("-s /run/bird/bird.ctl disable rhid4", "-s /run/bird/bird.ctl disable rhid6",
                "-s /run/bird/bird.ctl show route protocol rhid4", "-s /run/bird/bird.ctl show route protocol rhid6");
        assertThat(Files.readString(dir.resolve("rhid.conf"))).doesNotContain("route ");
    }

    @Test
    void withdraw_all_disables_the_protocols_without_a_configure_when_the_include_file_cannot_be_written() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "");
        BirdApplier bird = new BirdApplier(new RouterConfig.Bird(notADirectory.resolve("rhid.conf"), Optional.empty(),
                Path.of("/run/bird/bird.ctl"), "rhid4", "rhid6", OptionalLong.empty()),
                BirdCommands.birdc(Path.of("/usr/sbin/birdc"), Path.of("/run/bird/bird.ctl"), birdc, Duration.ofSeconds(1)));
        String done = bird.withdrawAll();
        assertThat(done).contains("cannot write " + notADirectory.resolve("rhid.conf"), "rhid4 and rhid6 were disabled instead",
                "BIRD holds no route of them");
        assertThat(commands()).containsExactly("-s /run/bird/bird.ctl disable rhid4", "-s /run/bird/bird.ctl disable rhid6",
                "-s /run/bird/bird.ctl show route protocol rhid4", "-s /run/bird/bird.ctl show route protocol rhid6");
    }

    @Test
    void withdraw_all_is_not_confirmed_while_bird_still_holds_a_route() throws Exception {
        configureExit = 1;
        configureReply = READY + "/etc/bird/bird.conf:31:1 syntax error\n";
        held4.add("203.0.113.80/32"); // disable answered, but the route is still there
        assertThatThrownBy(() -> applier().withdrawAll()).isInstanceOf(ApplyException.class)
                .hasMessageContaining("BIRD still holds rhid's routes after it disabled: rhid4 holds 1 routes, expected 0");
    }

    @Test
    void withdraw_all_is_not_confirmed_when_the_file_is_unwritable_and_bird_is_not_running() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "");
        FakeCommandRunner down = new FakeCommandRunner((argv, stdin) -> FakeCommandRunner.failed(argv, 1,
                "Unable to connect to server control socket (/run/bird/bird.ctl): No such file or directory\n"));
        BirdApplier bird = new BirdApplier(new RouterConfig.Bird(notADirectory.resolve("rhid.conf"), Optional.empty(),
                Path.of("/run/bird/bird.ctl"), "rhid4", "rhid6", OptionalLong.empty()),
                BirdCommands.birdc(Path.of("/usr/sbin/birdc"), Path.of("/run/bird/bird.ctl"), down, Duration.ofSeconds(1)));
        assertThatThrownBy(bird::withdrawAll).isInstanceOf(ApplyException.class)
                .hasMessageContaining("BIRD is not running: it would announce the routes still in");
    }

    @Test
    void withdraw_all_succeeds_when_bird_is_not_running() throws Exception {
        configureExit = 1;
        configureReply = "Unable to connect to server control socket (/run/bird/bird.ctl): No such file or directory\n";
        assertThat(applier().withdrawAll()).contains("BIRD is not running");
    }

    @Test
    void parses_the_prefixes_of_a_show_route_reply() {
        String reply = READY + "Table master4:\n198.51.100.53/32     blackhole [rhid4 23:31:58.253] * (200)\n"
                + "                     blackhole [other 23:31:58.253] (100)\n\tType: static univ\n"
                + "Table master6:\n2001:db8::53/128     blackhole [rhid6 23:31:58.253] * (200)\n";
        assertThat(BirdReplies.routes(reply)).extracting(Object::toString)
                .containsExactly("198.51.100.53/32", "2001:db8::53/128");
    }
}
