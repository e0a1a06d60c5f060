package io.rhid.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DurationsTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({"250ms, 250", "2s, 2000", "1.5s, 1500", "1m, 60000", "0.5m, 30000", "1h, 3600000", "0s, 0", "0ms, 0"})
    void parses_a_number_with_a_unit(String text, long millis) {
        assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "", "s", "2 s", "-1s", "1.5ms", "2d", "1m30s", "2S", ".5s", "1e3ms"})
    void rejects_anything_else(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @ParameterizedTest(name = "{0} ms -> {1}")
    @CsvSource({"250, 250ms", "2000, 2s", "1500, 1500ms", "60000, 1m", "90000, 90s", "7200000, 2h", "0, 0ms"})
    void formats_in_the_shortest_exact_unit(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
    }
}
