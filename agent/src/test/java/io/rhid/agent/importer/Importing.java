package io.rhid.agent.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.rhid.agent.config.ConfigLoader;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** Test helpers: a fixed set of programs, fixtures, golden files and the config loader as judge. */
final class Importing {

    static final Path FIXTURES = Path.of("src/test/resources/importer");

    /** Programs every Debian has; anything else is missing, whatever this host has installed. */
    static final Programs PROGRAMS = program -> {
        Set<String> present = Set.of("/bin/sh", "/bin/true", "/bin/false", "/usr/bin/test", "sh", "true", "false", "test");
        return present.contains(program) ? Optional.empty() : Optional.of(
                program.startsWith("/") ? program + " is not an executable file on this host" : "no executable " + program + " on PATH");
    };

    private Importing() {
    }

    /** The converted config as rhid loads it: an invalid conversion fails the test here. */
    static RhidConfig load(Imported imported) {
        RhidConfig[] config = new RhidConfig[1];
        assertThatCode(() -> config[0] = new ConfigLoader(ProbeTypes.load()).parse(Path.of("imported.yaml"), imported.yaml()))
                .as("converted config validates:\n%s", imported.yaml())
                .doesNotThrowAnyException();
        return config[0];
    }

    /** Compares with a golden file; -Drhid.golden.update=true rewrites it instead. */
    static void assertGolden(String name, String actual) {
        Path golden = FIXTURES.resolve(name);
        try {
            if (Boolean.getBoolean("rhid.golden.update")) {
                Files.writeString(golden, actual);
            }
            assertThat(actual).isEqualTo(Files.readString(golden));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
