package io.rhid.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.health.CheckRecord;
import io.rhid.agent.health.RiseFall;
import io.rhid.agent.schedule.CheckKey;
import io.rhid.agent.testing.Configs;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When the apply waits for linked checks: three tcp checks of one server (fast_interval 20ms) and
 * one of another; {@code a} has just confirmed down at 1000 after failing since 980.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CoalescerTest {

    static final CheckKey A = new CheckKey("a", "tcp");
    static final CheckKey B = new CheckKey("b", "tcp");
    static final CheckKey C = new CheckKey("c", "tcp");
    static final CheckKey OTHER = new CheckKey("other", "tcp");
    static final long MS = 1_000_000;

    final Coalescer coalescer = new Coalescer();
    final Map<CheckKey, CheckRecord> records = new HashMap<>();

    CoalescerTest() {
        coalescer.configure(Configs.parse("""
                defaults: { interval: 1s, fast_interval: 20ms, timeout: 100ms }
                services:
                  a: { prefixes: [192.0.2.1], checks: [ { type: tcp, address: "127.0.0.1:8080" } ] }
                  b: { prefixes: [192.0.2.2], checks: [ { type: tcp, address: "127.0.0.1:8080" } ] }
                  c: { prefixes: [192.0.2.3], checks: [ { type: tcp, address: "127.0.0.1:8080" } ] }
                  other: { prefixes: [192.0.2.4], checks: [ { type: tcp, address: "127.0.0.1:9090" } ] }
                """));
        records.put(A, down(1000, 980));
        records.put(OTHER, up(500, 0));
    }

    /** Up; {@code streak} failures since {@code failingSince} (ms), the last at {@code at}. */
    static CheckRecord up(long at, int streak) {
        return new CheckRecord(new RiseFall(true, streak, streak == 0 ? 5 : 0, streak, 9), streak == 0, "", 0, at * MS, 0,
                streak == 0 ? 0 : (at - 20L * (streak - 1)) * MS, null, 0);
    }

    static CheckRecord down(long at, long failingSince) {
        return new CheckRecord(new RiseFall(false, 0, 0, 2, 9), false, "refused", 0, at * MS, 0, failingSince * MS, "refused", 2);
    }

    /** B and C by letter: U up with nothing since the alert (before 980), F failing once since, D down, P passed since. */
    static CheckRecord sibling(char c) {
        return switch (c) {
            case 'U' -> up(500, 0);
            case 'F' -> up(985, 1);
            case 'D' -> down(1001, 981);
            case 'P' -> up(985, 0);
            default -> throw new IllegalArgumentException(String.valueOf(c));
        };
    }

    @ParameterizedTest(name = "b {0}, c {1}: waits for {2}")
    @CsvSource({
            "F, F, 2", // confirming towards fall
            "U, U, 2", // their alert runs are in flight
            "F, D, 1",
            "D, D, 0", // confirmed with a: applied at once
            "P, P, 0", // passed since the alert: a alone is down
            "P, U, 1",
    })
    void waits_for_linked_checks_that_are_still_confirming(char b, char c, int waits) {
        records.put(B, sibling(b));
        records.put(C, sibling(c));
        assertThat(coalescer.confirmedDown(A, records::get, 1000 * MS)).isEqualTo(waits);
        assertThat(coalescer.holding(records::get, 1000 * MS)).isEqualTo(waits > 0);
        assertThat(coalescer.nextDeadline()).isEqualTo(waits > 0 ? 1040 * MS : Long.MAX_VALUE);
    }

    @Test
    void the_hold_ends_when_the_last_linked_check_has_confirmed_or_at_twice_the_fast_interval() {
        records.put(B, sibling('F'));
        records.put(C, sibling('F'));
        coalescer.confirmedDown(A, records::get, 1000 * MS);
        records.put(B, down(1005, 985));
        assertThat(coalescer.holding(records::get, 1005 * MS)).as("c still confirming").isTrue();
        records.put(B, sibling('F'));
        assertThat(coalescer.holding(records::get, 1039 * MS)).as("b was released; c still confirming").isTrue();
        assertThat(coalescer.holding(records::get, 1040 * MS)).as("bounded").isFalse();
        assertThat(coalescer.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void a_check_without_linked_checks_never_holds() {
        records.put(OTHER, down(1000, 980));
        assertThat(coalescer.confirmedDown(OTHER, records::get, 1000 * MS)).isZero();
        assertThat(coalescer.holding(records::get, 1000 * MS)).isFalse();
    }
}
