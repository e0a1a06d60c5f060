package io.rhid.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.Timing;
import io.rhid.agent.health.RiseFall;
import io.rhid.agent.testing.FixedSplay;
import io.rhid.agent.testing.ManualTimer;
import io.rhid.agent.testing.ScriptedProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * A sibling's alert that reaches a check between the end of its run and the scheduling of the
 * next one, with a manual clock and a runner that holds every run until the test lets it go.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SiblingRunTest {

    static final long MS = 1_000_000;
    static final Timing TIMING = new Timing(Duration.ofMillis(200), Duration.ofMillis(20), Duration.ofMillis(100), 2, 2, false);
    static final CheckKey A = new CheckKey("a", "tcp");
    static final CheckKey B = new CheckKey("b", "tcp");
    static final String ENDPOINT = "tcp 127.0.0.1:53";

    final ManualTimer timer = new ManualTimer();
    final List<CheckUpdate> updates = new ArrayList<>();
    /** Runs handed to the runner and not yet let go. */
    final List<Runnable> held = new ArrayList<>();
    /** Run once by the sink when it gets a's next result: that is, before a's next run is scheduled. */
    Runnable onNextResultOfA;

    ProbeScheduler scheduler() {
        return new ProbeScheduler(timer, held::add, timer, timer::millis, FixedSplay.NONE, u -> {
            updates.add(u);
            Runnable hook = onNextResultOfA;
            if (u.key().equals(A) && hook != null) {
                onNextResultOfA = null;
                hook.run();
            }
        });
    }

    void letAllGo() {
        for (int i = 0; i < 100 && !held.isEmpty(); i++) {
            held.remove(0).run();
        }
        assertThat(held).as("bounded: every held run was let go").isEmpty();
    }

    @Test
    void an_alert_that_comes_as_a_run_ends_is_not_cancelled_by_the_scheduling_of_the_next_run() {
        ProbeScheduler s = scheduler();
        ScriptedProbe a = new ScriptedProbe(timer::nanos);
        ScriptedProbe b = new ScriptedProbe(timer::nanos);
        RiseFall up = RiseFall.INITIAL.record(true, 2, 2).record(true, 2, 2);
        long start = timer.nanos();
        s.start(A, TIMING, a, ENDPOINT, up);
        s.start(B, TIMING, b, ENDPOINT, up);
        timer.runDue();
        letAllGo(); // the first runs at 0 ms, both passing

        timer.advanceMillis(200);
        assertThat(held).as("a's and b's grid runs at 200 ms, a's first").hasSize(2);
        // a's run passes just before the server dies. While a's result is being published, b's
        // run fails and alerts a, which is idle again but has not scheduled its next run yet.
        Runnable runOfA = held.remove(0);
        Runnable runOfB = held.remove(0);
        onNextResultOfA = () -> {
            a.failing("connect refused");
            b.failing("connect refused");
            runOfB.run();
        };
        runOfA.run();
        assertThat(onNextResultOfA).as("the alert came in the window").isNull();

        timer.runDue();
        letAllGo(); // a's run for the alert, at 200 ms: a failure detected
        timer.advanceMillis(20);
        letAllGo(); // both confirm at 220 ms

        assertThat(a.runs().stream().map(t -> (t - start) / MS)).containsExactly(0L, 200L, 200L, 220L);
        assertThat(updates.stream().filter(CheckUpdate::transitioned)
                .map(u -> u.key().service() + "@" + (u.finishedNanos() - start) / MS))
                .as("a confirmed down with b, not a grid interval later")
                .containsExactlyInAnyOrder("a@220", "b@220");
    }
}
