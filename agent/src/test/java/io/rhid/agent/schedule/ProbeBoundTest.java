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
 * The bound on probe runs in flight, with a manual clock and a runner that holds every run until
 * the test lets it go (a held run is a probe still blocked on its server).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProbeBoundTest {

    static final long MS = 1_000_000;
    static final Timing TIMING = new Timing(Duration.ofMillis(200), Duration.ofMillis(20), Duration.ofMillis(100), 2, 2, false);

    final ManualTimer timer = new ManualTimer();
    final List<CheckUpdate> updates = new ArrayList<>();
    /** Runs handed to the runner and not yet let go. */
    final List<Runnable> held = new ArrayList<>();

    ProbeScheduler scheduler(int maxRuns, int maxRunsPerEndpoint) {
        return new ProbeScheduler(timer, held::add, timer, timer::millis, FixedSplay.NONE, updates::add, maxRuns,
                maxRunsPerEndpoint);
    }

    List<ScriptedProbe> start(ProbeScheduler s, String service, String endpoint, int checks) {
        List<ScriptedProbe> probes = new ArrayList<>();
        for (int i = 0; i < checks; i++) {
            ScriptedProbe p = new ScriptedProbe(timer::nanos);
            s.start(new CheckKey(service + i, "c"), TIMING, p, endpoint, RiseFall.INITIAL);
            probes.add(p);
        }
        return probes;
    }

    void letOneGo() {
        held.remove(0).run();
    }

    @Test
    void hands_the_runner_no_more_runs_than_the_bound_and_starts_a_waiting_one_as_each_finishes() {
        ProbeScheduler s = scheduler(3, 3);
        for (int i = 0; i < 10; i++) {
            start(s, "s" + i + "-", "tcp 127.0.0.1:" + (9000 + i), 1);
        }
        timer.runDue();
        assertThat(held).hasSize(3);
        assertThat(s.load()).containsExactly(3, 7);

        letOneGo();
        assertThat(held).as("the finished run's slot went to the oldest waiting one").hasSize(3);
        assertThat(s.load()).containsExactly(3, 6);
        assertThat(updates).hasSize(1);
        assertThat(updates.get(0).result().passed()).isTrue();

        for (int i = 0; i < 9; i++) {
            letOneGo();
        }
        assertThat(held).isEmpty();
        assertThat(s.load()).containsExactly(0, 0);
        assertThat(updates).hasSize(10).allMatch(u -> u.result().passed());
    }

    @Test
    void reports_a_run_that_cannot_start_within_its_timeout_as_a_timeout_without_running_it() {
        ProbeScheduler s = scheduler(1, 1);
        ScriptedProbe hung = start(s, "hung", "tcp 192.0.2.1:80", 1).get(0);
        ScriptedProbe starved = start(s, "starved", "tcp 127.0.0.1:80", 1).get(0);
        long queued = timer.nanos();
        timer.runDue();
        assertThat(held).hasSize(1);

        timer.advanceMillis(99);
        assertThat(updates).as("still within its timeout: it may yet start").isEmpty();
        timer.advanceMillis(1);

        assertThat(starved.runs()).isEmpty();
        assertThat(updates).hasSize(1);
        CheckUpdate u = updates.get(0);
        assertThat(u.key().service()).isEqualTo("starved0");
        assertThat(u.result().passed()).isFalse();
        assertThat(u.result().reason()).isEqualTo("timeout after 100ms waiting to start: 1 probe runs in flight");
        assertThat(u.startedNanos()).isEqualTo(queued);
        assertThat(u.latencyNanos()).isEqualTo(100 * MS);
        assertThat(s.load()).containsExactly(1, 0);

        // The hung run returns at last. The starved check's next run (on its grid, at 200 ms)
        // waits for the hung check's fast re-run (at 120 ms) and then gets the slot.
        letOneGo();
        assertThat(hung.runs()).hasSize(1);
        timer.advanceMillis(100);
        for (int i = 0; i < 3 && !held.isEmpty(); i++) {
            letOneGo();
        }
        assertThat(hung.runs()).hasSize(2);
        assertThat(starved.runs()).hasSize(1);
        assertThat(updates.get(updates.size() - 1).result().passed()).isTrue();
    }

    @Test
    void keeps_slots_for_other_endpoints_when_the_checks_of_one_hang() {
        ProbeScheduler s = scheduler(4, 2);
        start(s, "hung", "tcp 192.0.2.1:80", 50);
        List<ScriptedProbe> healthy = start(s, "ok", "tcp 127.0.0.1:80", 2);
        timer.runDue();

        assertThat(held).as("two runs of the hung endpoint, and both healthy checks").hasSize(4);
        assertThat(s.load()).containsExactly(4, 48);
        // Let the healthy runs go (they were handed over after the hung endpoint's two).
        held.remove(3).run();
        held.remove(2).run();
        assertThat(healthy).allMatch(p -> p.runs().size() == 1);
        assertThat(held).as("the freed slots stay free: the hung endpoint is at its own bound").hasSize(2);

        timer.advanceMillis(100);
        assertThat(updates.stream().filter(u -> !u.result().passed()).map(u -> u.result().reason()).distinct())
                .containsExactly("timeout after 100ms waiting to start: 2 runs of this endpoint in flight");
        assertThat(updates.stream().filter(u -> !u.result().passed())).hasSize(48);
        assertThat(s.load()[1]).as("the queue is empty again; its size never exceeds the number of checks").isZero();
    }

    @Test
    void closes_the_probe_of_a_check_stopped_while_it_waits_and_never_runs_it() {
        ProbeScheduler s = scheduler(1, 1);
        start(s, "busy", "tcp 127.0.0.1:80", 1);
        ScriptedProbe waiting = start(s, "waiting", "tcp 127.0.0.1:81", 1).get(0);
        timer.runDue();
        assertThat(s.load()).containsExactly(1, 1);

        s.stop(new CheckKey("waiting0", "c"));

        assertThat(waiting.closed()).isTrue();
        assertThat(s.load()).containsExactly(1, 0);
        timer.advanceMillis(150);
        letOneGo();
        assertThat(waiting.runs()).isEmpty();
        assertThat(updates).extracting(u -> u.key().service()).containsExactly("busy0");
    }
}
