package io.rhid.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rhid import}: what goes to stdout and stderr, exit codes, and that check-config accepts the output. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ImportCommandTest {

    private static final Path AH = Path.of("src/test/resources/importer/anycast-healthchecker");

    @TempDir
    Path dir;

    private final InProcessCli cli = new InProcessCli();

    /** Writes the output where check-config reads it and returns check-config's run. */
    private InProcessCli.Run checkConfig(String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("imported.yaml"), yaml);
        return cli.run("check-config", "-c", file.toString());
    }

    @Test
    void prints_the_converted_config_and_exits_0_when_nothing_was_lost() throws IOException {
        InProcessCli.Run r = cli.run("import", "anycast-healthchecker", AH.resolve("readme/anycast-healthchecker.conf").toString(),
                AH.resolve("readme/anycast-healthchecker.d").toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("  foo-bar-com:\n", "  foo6-bar-com:\n");
        InProcessCli.Run check = checkConfig(r.out());
        assertThat(check.exit()).as(check.err()).isZero();
        assertThat(check.out()).endsWith(": ok: 2 services, 2 checks, 2 prefixes, daemon bird\n");
    }

    @Test
    void lists_warnings_on_stderr_and_exits_1_when_something_could_not_be_carried_over() throws IOException {
        InProcessCli.Run r = cli.run("import", "anycast-healthchecker", AH.resolve("edge/main.conf").toString(),
                AH.resolve("edge/conf.d").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(8).allMatch(l -> l.startsWith("rhid import: "));
        assertThat(r.err()).contains("rhid import: warning: " + AH.resolve("edge/main.conf") + ":8:1: [daemon] bird_keep_changes: ")
                .endsWith("rhid import: 7 warnings; each is also a WARNING comment in the output\n");
        assertThat(r.out()).contains("# WARNING: bird_keep_changes = true: rhid keeps no history of its include file\n");
        InProcessCli.Run check = checkConfig(r.out());
        assertThat(check.exit()).as(check.err()).isZero();
    }

    @Test
    void exits_78_without_output_when_the_input_cannot_be_read() {
        InProcessCli.Run r = cli.run("import", "anycast-healthchecker", dir.resolve("missing.conf").toString());
        assertThat(r.exit()).isEqualTo(78);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("rhid import: " + dir.resolve("missing.conf") + ": cannot read: no such file\n");

        InProcessCli.Run broken = cli.run("import", "anycast-healthchecker", AH.resolve("errors/broken.conf").toString());
        assertThat(broken.exit()).isEqualTo(78);
        assertThat(broken.out()).isEmpty();
        assertThat(broken.err().lines()).hasSize(6);
    }

    @Test
    void converts_exabgp_healthcheck_arguments_after_a_double_dash_or_a_run_line() throws IOException {
        InProcessCli.Run args = cli.run("import", "exabgp-healthcheck", "--", "--name", "web", "--cmd", "nc -z 127.0.0.1 80",
                "--ip", "203.0.113.80", "--withdraw-on-down");
        assertThat(args.err()).isEmpty();
        assertThat(args.exit()).isZero();
        InProcessCli.Run check = checkConfig(args.out());
        assertThat(check.exit()).as(check.err()).isZero();

        InProcessCli.Run run = cli.run("import", "exabgp-healthcheck",
                "run /usr/bin/python3 -m exabgp healthcheck --name web --cmd \"nc -z 127.0.0.1 80\" --ip 203.0.113.80 --withdraw-on-down;");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo(args.out());

        InProcessCli.Run withoutDashes = cli.run("import", "exabgp-healthcheck", "--name", "web", "--cmd", "nc -z 127.0.0.1 80",
                "--ip", "203.0.113.80", "--withdraw-on-down");
        assertThat(withoutDashes.exit()).isZero();
        assertThat(withoutDashes.out()).isEqualTo(args.out());
    }

    @Test
    void prints_the_output_and_exits_70_if_a_conversion_ever_produced_a_config_rhid_refuses() {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        String yaml = "services:\n  web:\n    prefixes: [203.0.113.80/32]\n    checks: []\n";
        int exit = ImportCommand.finish(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
                () -> new io.rhid.agent.importer.Imported(yaml, java.util.List.of()));
        assertThat(exit).isEqualTo(70);
        assertThat(out.toString()).isEqualTo(yaml);
        assertThat(err.toString()).isEqualTo("rhid import: internal error: the converted config does not validate:\n"
                + "  imported.yaml:4:13: services.web.checks: must list at least one check\n");
    }

    @Test
    void exits_78_on_options_healthcheck_does_not_have() {
        InProcessCli.Run r = cli.run("import", "exabgp-healthcheck", "--", "--ip", "203.0.113.80", "--colour", "blue");
        assertThat(r.exit()).isEqualTo(78);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("rhid import: argument --colour: unknown option\n");
    }
}
