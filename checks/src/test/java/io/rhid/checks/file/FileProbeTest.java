package io.rhid.checks.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FileProbeTest {

    @TempDir
    Path dir;

    @Test
    void passes_while_the_file_is_absent() {
        assertThat(probe(dir.resolve("dns")).run()).isEqualTo(ProbeResult.pass("absent"));
    }

    @Test
    void passes_while_its_directory_is_absent() {
        assertThat(probe(dir.resolve("maintenance/dns")).run()).isEqualTo(ProbeResult.pass("absent"));
    }

    @Test
    void fails_while_the_file_is_present() throws IOException {
        Path file = Files.createFile(dir.resolve("dns"));
        Probe probe = probe(file);

        assertThat(probe.run()).isEqualTo(ProbeResult.failure("present: " + file));
        Files.delete(file);
        assertThat(probe.run()).isEqualTo(ProbeResult.pass("absent"));
    }

    @Test
    void counts_a_dangling_symlink_as_present() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("dns"), dir.resolve("nowhere"));

        assertThat(probe(link).run()).isEqualTo(ProbeResult.failure("present: " + link));
    }

    private static Probe probe(Path path) {
        return new FileProbeProvider().create(new FileProbeSpec(path.toString()), new ProbeContext("test/file", Duration.ofSeconds(1)));
    }
}
