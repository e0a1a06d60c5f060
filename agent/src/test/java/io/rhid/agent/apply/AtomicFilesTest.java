package io.rhid.agent.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void replaces_the_content_and_leaves_no_temporary_file() throws Exception {
        Path file = dir.resolve("rhid.conf");
        AtomicFiles.write(file, "one\n");
        AtomicFiles.write(file, "two\n");
        assertThat(Files.readString(file)).isEqualTo("two\n");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void keeps_the_mode_of_the_file_it_replaces() throws Exception {
        Path file = dir.resolve("rhid.conf");
        Files.writeString(file, "old\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        AtomicFiles.write(file, "new\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-rw-r--");
    }

    @Test
    void creates_new_files_readable_by_the_routing_daemon() throws Exception {
        Path file = dir.resolve("rhid.conf");
        AtomicFiles.write(file, "new\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
    }

    @Test
    void reads_a_missing_file_as_empty() throws Exception {
        assertThat(AtomicFiles.read(dir.resolve("absent"))).isEmpty();
    }
}
