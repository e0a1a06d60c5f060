package io.rhid.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** When a watch connection is made again: at once after a stable one, else doubling to a cap. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ReconnectBackoffTest {

    static final long MS = 1_000_000;
    final ReconnectBackoff backoff = ReconnectBackoff.DEFAULT;

    @ParameterizedTest(name = "{0} failures -> {1} ms")
    @CsvSource({"0, 0", "1, 50", "2, 100", "3, 200", "4, 400", "5, 800", "6, 1600", "7, 2000", "8, 2000", "62, 2000"})
    void waits_twice_as_long_per_consecutive_failure_up_to_the_cap(int failures, long millis) {
        assertThat(backoff.delayNanos(failures)).isEqualTo(millis * MS);
    }

    @Test
    void a_connection_open_for_the_stable_time_resets_the_streak() {
        assertThat(backoff.failuresAfter(5, Duration.ofSeconds(1).toNanos())).isZero();
        assertThat(backoff.failuresAfter(5, Duration.ofMinutes(10).toNanos())).isZero();
    }

    @Test
    void a_short_connection_or_a_failed_attempt_lengthens_the_streak() {
        assertThat(backoff.failuresAfter(0, 999 * MS)).isEqualTo(1);
        assertThat(backoff.failuresAfter(3, -1)).isEqualTo(4);
    }

    @Test
    void the_streak_stops_growing_where_the_delay_is_long_capped() {
        int f = 0;
        for (int i = 0; i < 1000; i++) {
            f = backoff.failuresAfter(f, -1);
        }
        assertThat(f).isEqualTo(62);
        assertThat(backoff.delayNanos(f)).isEqualTo(2000 * MS);
    }

    @Test
    void a_server_closing_every_connection_at_once_gets_a_bounded_number_of_attempts() {
        // Simulated: each connection closes at once; count attempts in the first minute.
        long t = 0;
        int f = 0;
        int attempts = 0;
        while (t < Duration.ofMinutes(1).toNanos()) {
            attempts++;
            f = backoff.failuresAfter(f, 0);
            t += backoff.delayNanos(f);
        }
        // 50+100+...+1600 = 3.15 s for the first 6, then one per 2 s: 35 in a minute.
        assertThat(attempts).isEqualTo(35);
    }
}
