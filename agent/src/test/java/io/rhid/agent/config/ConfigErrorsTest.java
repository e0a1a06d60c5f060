package io.rhid.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One small YAML file per mistake under {@code src/test/resources/config/errors}; each file ends
 * with {@code # expect: LINE:COL: PATH: message} comments, and the loader must report exactly those
 * errors, in that order. Messages are API: operators and their tooling read them.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigErrorsTest {

    private static final Path DIR = Path.of("src/test/resources/config/errors");
    private static final String EXPECT = "# expect: ";

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reports_exactly_the_expected_errors(String fileName) throws IOException {
        Path file = DIR.resolve(fileName);
        List<String> expected = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith(EXPECT))
                .map(l -> fileName + ":" + l.substring(EXPECT.length()))
                .toList();
        assertThat(expected).as("%s has no '%s' lines", fileName, EXPECT.strip()).isNotEmpty();

        ConfigLoader loader = new ConfigLoader(ProbeTypes.load());
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> loader.parse(Path.of(fileName), text))
                .isInstanceOfSatisfying(ConfigException.class, e ->
                        assertThat(e.errors()).extracting(ConfigError::toString).containsExactlyElementsOf(expected));
    }
}
