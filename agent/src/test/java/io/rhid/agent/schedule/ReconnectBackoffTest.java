package io.rhid.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.schedule.ReconnectBackoff.Next;
import io.rhid.agent.schedule.ReconnectBackoff.Streaks;
import java.time.Duration;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a watch connection's end means, and when the next one is made. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ReconnectBackoffTest {

    static final long MS = 1_000_000;
    static final long YOUNG = 999 * MS;
    static final long STABLE = 1_000 * MS;
    final ReconnectBackoff backoff = ReconnectBackoff.DEFAULT;

    @ParameterizedTest(name = "streak {0} -> {1} ms")
    @CsvSource({"0, 0", "1, 50", "2, 100", "3, 200", "4, 400", "5, 800", "6, 1600", "7, 2000", "8, 2000", "62, 2000"})
    void waits_twice_as_long_per_step_of_a_streak_up_to_the_cap(int streak, long millis) {
        assertThat(backoff.delayNanos(streak)).isEqualTo(millis * MS);
    }

    @Test
    void the_close_of_a_stable_connection_is_news_and_is_replaced_at_once() {
        assertThat(backoff.closed(new Streaks(0, 5), STABLE)).isEqualTo(new Next(Streaks.NONE, 0, true));
    }

    @Test
    void a_refused_attempt_is_news_and_backs_off() {
        Next first = backoff.attemptFailed(Streaks.NONE, true);
        Next second = backoff.attemptFailed(first.streaks(), true);
        assertThat(first).isEqualTo(new Next(new Streaks(1, 0), 50 * MS, true));
        assertThat(second).isEqualTo(new Next(new Streaks(2, 0), 100 * MS, true));
    }

    @Test
    void an_attempt_not_connected_in_time_backs_off_but_is_not_news() {
        // A full accept queue drops SYNs: running every check at once would add to the overload.
        assertThat(backoff.attemptFailed(Streaks.NONE, false)).isEqualTo(new Next(new Streaks(1, 0), 50 * MS, false));
    }

    @Test
    void only_the_first_of_a_run_of_young_closes_is_news() {
        Next first = backoff.closed(Streaks.NONE, YOUNG);
        Next second = backoff.closed(backoff.connected(first.streaks()), 0);
        assertThat(first).isEqualTo(new Next(new Streaks(0, 1), 50 * MS, true));
        assertThat(second).isEqualTo(new Next(new Streaks(0, 2), 100 * MS, false));
    }

    @Test
    void a_server_back_after_refusals_starts_afresh_so_its_death_on_a_young_connection_is_news() {
        Streaks s = new Streaks(0, 7); // it used to close connections at once
        for (int i = 0; i < 5; i++) {
            s = backoff.attemptFailed(s, true).streaks(); // then it died
        }
        s = backoff.connected(s); // it is back
        assertThat(s).isEqualTo(Streaks.NONE);
        assertThat(backoff.closed(s, 10 * MS)).isEqualTo(new Next(new Streaks(0, 1), 50 * MS, true));
    }

    @Test
    void the_streaks_stop_growing_where_the_delay_is_long_capped() {
        Streaks s = Streaks.NONE;
        for (int i = 0; i < 1000; i++) {
            s = backoff.attemptFailed(s, false).streaks();
        }
        assertThat(s.failedAttempts()).isEqualTo(62);
        assertThat(backoff.attemptFailed(s, true).delayNanos()).isEqualTo(2000 * MS);
    }

    @Test
    void a_server_closing_every_connection_at_once_gets_a_bounded_number_of_connections_and_one_trigger() {
        long t = 0;
        Streaks s = Streaks.NONE;
        int connections = 0;
        int triggers = 0;
        while (t < Duration.ofMinutes(1).toNanos()) {
            connections++;
            Next next = backoff.closed(backoff.connected(s), 0);
            s = next.streaks();
            triggers += next.trigger() ? 1 : 0;
            t += next.delayNanos();
        }
        // 50+100+...+1600 = 3.15 s for the first 6, then one per 2 s: 35 in a minute.
        assertThat(connections).isEqualTo(35);
        assertThat(triggers).isEqualTo(1);
    }
}
