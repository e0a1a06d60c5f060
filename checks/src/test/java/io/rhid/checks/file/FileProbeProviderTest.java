package io.rhid.checks.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.FakeSpecReader;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FileProbeProviderTest {

    private final FileProbeProvider provider = new FileProbeProvider();

    @Test
    void parses_an_absolute_path() {
        FakeSpecReader reader = FakeSpecReader.of("path", "/etc/rhid/maintenance/dns");

        FileProbeSpec spec = (FileProbeSpec) provider.parse(reader);

        assertThat(reader.errors()).isEmpty();
        assertThat(reader.unreadKeys()).isEmpty();
        assertThat(spec).isEqualTo(new FileProbeSpec("/etc/rhid/maintenance/dns"));
        assertThat(spec.type()).isEqualTo("file");
        assertThat(spec.target()).isEqualTo("/etc/rhid/maintenance/dns");
    }

    @Test
    void requires_a_path() {
        assertErrors(FakeSpecReader.of(), "path: is required");
    }

    @Test
    void rejects_a_relative_path() {
        assertErrors(FakeSpecReader.of("path", "maintenance/dns"), "path: must be an absolute path (found \"maintenance/dns\")");
        assertErrors(FakeSpecReader.of("path", ""), "path: must be an absolute path (found \"\")");
    }

    @Test
    void rejects_a_path_with_nul() {
        assertErrors(FakeSpecReader.of("path", "/etc/a\0b"), "path: must be an absolute path (found \"/etc/a\\u0000b\")");
    }

    private void assertErrors(FakeSpecReader reader, String... errors) {
        assertThat(provider.parse(reader)).isNull();
        assertThat(reader.errors()).containsExactly(errors);
    }
}
