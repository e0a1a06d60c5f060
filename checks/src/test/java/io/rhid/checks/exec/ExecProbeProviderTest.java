package io.rhid.checks.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.FakeSpecReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ExecProbeProviderTest {

    @TempDir
    Path dir;
    private Path bin;
    private ExecProbeProvider provider;

    @BeforeEach
    void path() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        bin = Files.createDirectory(dir.resolve("bin"));
        Files.createFile(bin.resolve("check-dns"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.createFile(bin.resolve("notes"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        provider = new ExecProbeProvider("relative:" + empty + ":" + bin);
    }

    @Test
    void keeps_an_absolute_command() {
        FakeSpecReader reader = FakeSpecReader.of("command", List.of("/bin/sh", "-c", "exit 0"));

        ExecProbeSpec spec = (ExecProbeSpec) provider.parse(reader);

        assertThat(reader.errors()).isEmpty();
        assertThat(spec).isEqualTo(new ExecProbeSpec(List.of("/bin/sh", "-c", "exit 0"), Map.of()));
        assertThat(spec.type()).isEqualTo("exec");
        assertThat(spec.target()).as("shown by default: the program alone").isEqualTo("/bin/sh");
        assertThat(spec.fullTarget()).as("shown with status.show_commands").isEqualTo("/bin/sh -c exit 0");
        assertThat(spec.endpoint()).isEqualTo("/bin/sh -c exit 0");
    }

    @Test
    void resolves_a_program_name_on_path_when_parsing() {
        FakeSpecReader reader = FakeSpecReader.of("command", List.of("check-dns", "--quick"), "env", Map.of("ZONE", "example."));

        ExecProbeSpec spec = (ExecProbeSpec) provider.parse(reader);

        assertThat(reader.errors()).isEmpty();
        assertThat(reader.unreadKeys()).isEmpty();
        assertThat(spec.command()).containsExactly(bin.resolve("check-dns").toString(), "--quick");
        assertThat(spec.env()).containsExactly(Map.entry("ZONE", "example."));
    }

    @Test
    void requires_a_command() {
        assertErrors(FakeSpecReader.of(), "command: is required");
    }

    @Test
    void reports_a_missing_command_even_after_other_errors() {
        FakeSpecReader reader = FakeSpecReader.of();
        reader.error("timeout", "must be less than interval (timeout=5s, interval=2s)");

        assertThat(provider.parse(reader)).isNull();
        assertThat(reader.errors()).containsExactly(
                "timeout: must be less than interval (timeout=5s, interval=2s)", "command: is required");
    }

    @Test
    void leaves_a_command_of_the_wrong_type_to_the_reader() {
        assertErrors(FakeSpecReader.of("command", "/bin/true --quick"), "command: must be a list of scalars (found \"/bin/true --quick\")");
    }

    @Test
    void rejects_an_empty_command() {
        assertErrors(FakeSpecReader.of("command", List.of()), "command: must not be empty");
    }

    @Test
    void rejects_a_relative_path() {
        assertErrors(FakeSpecReader.of("command", List.of("./check")),
                "command[0]: must be an absolute path or a program name found on PATH (found \"./check\")");
        assertErrors(FakeSpecReader.of("command", List.of("")),
                "command[0]: must be an absolute path or a program name found on PATH (found \"\")");
    }

    @Test
    void rejects_a_missing_absolute_path() {
        String missing = dir.resolve("missing").toString();
        assertErrors(FakeSpecReader.of("command", List.of(missing)), "command[0]: no such file (found \"" + missing + "\")");
    }

    @Test
    void rejects_a_file_that_is_not_executable() {
        String notes = bin.resolve("notes").toString();
        assertErrors(FakeSpecReader.of("command", List.of(notes)),
                "command[0]: must be an executable file (found \"" + notes + "\")");
        assertErrors(FakeSpecReader.of("command", List.of(bin.toString())),
                "command[0]: must be an executable file (found \"" + bin + "\")");
    }

    @Test
    void rejects_a_program_not_on_path() {
        assertErrors(FakeSpecReader.of("command", List.of("notes")),
                "command[0]: no executable \"notes\" found on PATH relative:" + dir.resolve("empty") + ":" + bin);
    }

    @Test
    void rejects_nul_in_arguments() {
        assertErrors(FakeSpecReader.of("command", List.of("/bin/true", "a\0b")), "command[1]: must not contain NUL");
    }

    @Test
    void rejects_bad_environment_names_and_values() {
        assertErrors(FakeSpecReader.of("command", List.of("/bin/true"), "env", Map.of("A=B", "1")),
                "env: variable name must be non-empty without \"=\" or NUL (found \"A=B\")");
        assertErrors(FakeSpecReader.of("command", List.of("/bin/true"), "env", Map.of("A", "1\0")),
                "env: value of A must not contain NUL");
    }

    private void assertErrors(FakeSpecReader reader, String... errors) {
        assertThat(provider.parse(reader)).isNull();
        assertThat(reader.errors()).containsExactly(errors);
    }

    @Test
    void refuses_a_command_other_users_may_rewrite() throws IOException {
        Path script = Files.createFile(dir.resolve("check-open"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxrwxrwx"));
        FakeSpecReader reader = FakeSpecReader.of("command", List.of(script.toString()));

        assertThat(provider.parse(reader)).isNull();
        assertThat(reader.errors()).containsExactly("command[0]: \"" + script
                + "\" is writable by other users (mode rwxrwxrwx); make it writable only by its owner");
    }

    @Test
    void refuses_a_command_on_path_writable_by_a_group_other_than_root() throws IOException {
        Path script = bin.resolve("check-dns");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxrwxr-x"));
        Files.setAttribute(script, "unix:gid", 65534);
        String group = Files.readAttributes(script, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        FakeSpecReader reader = FakeSpecReader.of("command", List.of("check-dns"));

        assertThat(provider.parse(reader)).isNull();
        assertThat(reader.errors()).containsExactly("command[0]: \"" + script + "\" is writable by group " + group
                + " (mode rwxrwxr-x); make it writable only by its owner or root");
    }
}
