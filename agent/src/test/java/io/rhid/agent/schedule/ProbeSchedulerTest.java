package io.rhid.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.Timing;
import io.rhid.agent.health.RiseFall;
import io.rhid.agent.testing.Configs;
import io.rhid.agent.testing.FixedSplay;
import io.rhid.agent.testing.ManualTimer;
import io.rhid.agent.testing.ScriptedProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The scheduler's timing with a manual clock: when checks run, and what they report. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProbeSchedulerTest {

    static final long MS = 1_000_000;
    static final CheckKey KEY = new CheckKey("dns", "tcp");
    static final Timing TIMING = new Timing(Duration.ofMillis(200), Duration.ofMillis(20), Duration.ofMillis(100), 2, 2, false);

    final ManualTimer timer = new ManualTimer();
    final List<CheckUpdate> updates = new ArrayList<>();
    final ScriptedProbe probe = new ScriptedProbe(timer::nanos);

    /** Splay 0: the first run is at once, so run times are easy to read. */
    ProbeScheduler scheduler(long splayNanos) {
        RandomGenerator fixed = new FixedSplay(splayNanos);
        return new ProbeScheduler(timer, Runnable::run, timer, timer::millis, fixed, updates::add);
    }

    /** Run times relative to {@code start}, in ms. */
    List<Long> runsSince(long start) {
        return probe.runs().stream().map(t -> (t - start) / MS).toList();
    }

    private RiseFall confirmedUp() {
        return RiseFall.INITIAL.record(true, 2, 2).record(true, 2, 2);
    }

    @Test
    void confirms_a_failure_one_fast_interval_after_it_was_detected() {
        ProbeScheduler s = scheduler(0);
        long start = timer.nanos();
        s.start(KEY, TIMING, probe, "127.0.0.1:53", confirmedUp());
        timer.advanceMillis(400); // runs at 0, 200, 400: passing
        probe.failing("connect refused");
        timer.advanceMillis(200); // run at 600 fails: detected
        timer.advanceMillis(20); // run at 620 fails: confirmed

        assertThat(runsSince(start)).containsExactly(0L, 200L, 400L, 600L, 620L);
        CheckUpdate detected = updates.get(3);
        CheckUpdate confirmed = updates.get(4);
        assertThat(detected.health().up()).isTrue();
        assertThat(detected.health().confirming()).isTrue();
        assertThat(confirmed.transitioned()).isTrue();
        assertThat(confirmed.health().up()).isFalse();
        assertThat((confirmed.finishedNanos() - detected.finishedNanos()) / MS).isEqualTo(20);
    }

    @Test
    void returns_to_the_normal_grid_after_a_single_failure_without_a_transition() {
        ProbeScheduler s = scheduler(0);
        long start = timer.nanos();
        s.start(KEY, TIMING, probe, "127.0.0.1:53", confirmedUp());
        timer.advanceMillis(200);
        probe.failing("timeout after 100ms");
        timer.advanceMillis(200); // 400: fails once
        probe.passing();
        timer.advanceMillis(20); // 420: passes again, streak broken
        timer.advanceMillis(580); // then back on the 200 ms grid: 600, 800, 1000

        assertThat(runsSince(start)).containsExactly(0L, 200L, 400L, 420L, 600L, 800L, 1000L);
        assertThat(updates).noneMatch(CheckUpdate::transitioned);
        assertThat(updates.get(updates.size() - 1).health().up()).isTrue();
    }

    @Test
    void rises_from_the_initial_down_state_after_fast_confirmation() {
        ProbeScheduler s = scheduler(0);
        long start = timer.nanos();
        s.start(KEY, TIMING, probe, "127.0.0.1:53", RiseFall.INITIAL);
        timer.advanceMillis(20);

        assertThat(runsSince(start)).containsExactly(0L, 20L);
        assertThat(updates.get(1).transitioned()).isTrue();
        assertThat(updates.get(1).health().up()).isTrue();
    }

    @Test
    void splays_the_first_run_and_keeps_the_grid_anchored_there() {
        ProbeScheduler s = scheduler(130 * MS);
        long start = timer.nanos();
        s.start(KEY, TIMING, probe, "127.0.0.1:53", confirmedUp());
        timer.advanceMillis(600);

        assertThat(runsSince(start)).containsExactly(130L, 330L, 530L);
    }

    @Test
    void does_not_use_fast_reruns_when_they_are_off() {
        ProbeScheduler s = scheduler(0);
        long start = timer.nanos();
        Timing noFast = new Timing(Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(100), 2, 2, false);
        s.start(KEY, noFast, probe, "127.0.0.1:53", confirmedUp());
        probe.failing("connect refused");
        timer.advanceMillis(400);

        assertThat(runsSince(start)).containsExactly(0L, 200L, 400L);
        assertThat(updates.get(1).transitioned()).isTrue();
    }

    @Test
    void reports_rise_fall_state_and_latency_with_each_result() {
        ProbeScheduler s = scheduler(0);
        s.start(KEY, TIMING, probe, "127.0.0.1:53", RiseFall.INITIAL);
        timer.runDue();

        CheckUpdate u = updates.get(0);
        assertThat(u.key()).isEqualTo(KEY);
        assertThat(u.result().passed()).isTrue();
        assertThat(u.previous()).isEqualTo(RiseFall.INITIAL);
        assertThat(u.health().streak()).isEqualTo(1);
        assertThat(u.latencyNanos()).isZero();
    }

    @Test
    void runs_a_check_now_on_request_and_then_resumes_its_grid() {
        ProbeScheduler s = scheduler(0);
        long start = timer.nanos();
        s.start(KEY, TIMING, probe, "127.0.0.1:53", confirmedUp());
        timer.advanceMillis(50);
        s.runNow(KEY);
        timer.runDue();
        timer.advanceMillis(350);

        assertThat(runsSince(start)).containsExactly(0L, 50L, 200L, 400L);
        assertThat(updates.stream().map(CheckUpdate::asked)).as("only the run asked for says so")
                .containsExactly(false, true, false, false);
    }

    @Test
    void stops_running_and_closes_the_probe() {
        ProbeScheduler s = scheduler(0);
        s.start(KEY, TIMING, probe, "127.0.0.1:53", confirmedUp());
        timer.runDue();
        s.stop(KEY);
        timer.advanceMillis(1000);

        assertThat(probe.runs()).hasSize(1);
        assertThat(probe.closed()).isTrue();
        assertThat(s.keys()).isEmpty();
    }

    @Test
    void counts_a_probe_that_throws_as_a_failed_run() {
        ProbeScheduler s = new ProbeScheduler(timer, Runnable::run, timer, timer::millis, RandomGenerator.of("L64X128MixRandom"),
                updates::add);
        s.start(KEY, TIMING, () -> {
            throw new IllegalStateException("bug");
        }, "127.0.0.1:53", confirmedUp());
        timer.advanceMillis(200);

        assertThat(updates).isNotEmpty();
        assertThat(updates.get(0).result().passed()).isFalse();
        assertThat(updates.get(0).result().reason()).isEqualTo("probe error: IllegalStateException");
    }

    @Test
    void runs_checks_of_the_same_endpoint_at_once_when_one_sees_a_failure() {
        // Three services' checks probe one server, splayed 0, 70 and 140 ms into their interval.
        long[] splays = {0, 70 * MS, 140 * MS};
        int[] next = {0};
        RandomGenerator staggered = new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public long nextLong(long bound) {
                return splays[next[0]++];
            }
        };
        ProbeScheduler s = new ProbeScheduler(timer, Runnable::run, timer, timer::millis, staggered, updates::add);
        ScriptedProbe other = new ScriptedProbe(timer::nanos);
        ScriptedProbe third = new ScriptedProbe(timer::nanos);
        s.start(new CheckKey("a", "http"), TIMING, probe, "http://127.0.0.1:8080", confirmedUp());
        s.start(new CheckKey("b", "http"), TIMING, other, "http://127.0.0.1:8080", confirmedUp());
        s.start(new CheckKey("c", "http"), TIMING, third, "http://127.0.0.1:8080", confirmedUp());
        timer.advanceMillis(150);
        long died = timer.nanos();
        probe.failing("connect refused");
        other.failing("connect refused");
        third.failing("connect refused");
        timer.advanceMillis(50); // a's grid run at 200 ms sees the failure first
        timer.advanceMillis(20); // everyone's fast re-run confirms

        assertThat(updates.stream().filter(CheckUpdate::transitioned).map(u -> (u.finishedNanos() - died) / MS))
                .as("all three confirmed down at the same time, 70 ms after the server died")
                .containsExactly(70L, 70L, 70L);
    }

    @Test
    void spreads_the_runs_of_many_checks_alerted_by_a_pass_over_a_few_milliseconds() {
        ProbeScheduler s = scheduler(0);
        List<ScriptedProbe> probes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ScriptedProbe p = new ScriptedProbe(timer::nanos);
            probes.add(p);
            s.start(new CheckKey("s" + i, "http"), TIMING, p, "https://127.0.0.1:8443", RiseFall.INITIAL);
        }
        // Every check starts down; splay 0 runs them all at once, failing: nothing to alert.
        long start = timer.nanos();
        probes.forEach(p -> p.failing("connect refused"));
        timer.advanceMillis(1);
        probes.forEach(ScriptedProbe::passing);
        timer.advanceMillis(199); // the grid run at 200 ms: all pass, the first alerts the others
        long alerted = timer.nanos();
        timer.advanceMillis(20); // through the spread, up to the first fast re-run at 220 ms

        // Each check's first run after the alert, in time order.
        List<Long> runs = probes.stream()
                .map(p -> p.runs().stream().filter(t -> t >= alerted).findFirst().orElseThrow())
                .sorted().toList();
        assertThat(runs.get(runs.size() - 1) - alerted).as("spread within 20 ms")
                .isLessThanOrEqualTo(ProbeScheduler.SIBLING_SPREAD_NANOS);
        // runs[0] is the alerting check's own run; its first sibling may start at that instant.
        for (int i = 2; i < runs.size(); i++) {
            assertThat(runs.get(i)).as("no two sibling runs at the same instant").isGreaterThan(runs.get(i - 1));
        }
        assertThat(start).isLessThan(alerted);
    }

    @Test
    void does_not_alert_checks_of_other_endpoints() {
        ProbeScheduler s = scheduler(0);
        ScriptedProbe other = new ScriptedProbe(timer::nanos);
        s.start(new CheckKey("a", "tcp"), TIMING, probe, "127.0.0.1:53", confirmedUp());
        s.start(new CheckKey("b", "tcp"), TIMING, other, "127.0.0.1:54", confirmedUp());
        timer.advanceMillis(100);
        probe.failing("connect refused");
        timer.advanceMillis(100);
        assertThat(other.runs()).hasSize(2); // 0 and 200: its own grid only
    }

    @Test
    void alerts_checks_of_the_same_endpoint_also_when_fall_is_1() {
        Timing fallOne = new Timing(Duration.ofMillis(200), Duration.ofMillis(20), Duration.ofMillis(100), 1, 1, false);
        long[] splays = {0, 100 * MS};
        int[] next = {0};
        RandomGenerator staggered = new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public long nextLong(long bound) {
                return splays[next[0]++];
            }
        };
        ProbeScheduler s = new ProbeScheduler(timer, Runnable::run, timer, timer::millis, staggered, updates::add);
        ScriptedProbe other = new ScriptedProbe(timer::nanos);
        RiseFall up = RiseFall.INITIAL.record(true, 1, 1);
        s.start(new CheckKey("a", "file"), fallOne, probe, "/etc/rhid/maintenance/all", up);
        s.start(new CheckKey("b", "file"), fallOne, other, "/etc/rhid/maintenance/all", up);
        timer.advanceMillis(150);
        probe.failing("present: /etc/rhid/maintenance/all");
        other.failing("present: /etc/rhid/maintenance/all");
        timer.advanceMillis(50); // a's run at 200 flips it down at once and alerts b, which is due only at 300

        assertThat(updates.stream().filter(CheckUpdate::transitioned).map(u -> u.key().service() + "@" + (u.finishedNanos() / MS)))
                .containsExactly("a@" + timer.nanos() / MS, "b@" + timer.nanos() / MS);
    }

    @Test
    void links_an_http_and_a_tcp_check_of_one_port_so_they_confirm_a_failure_together() {
        RhidConfig config = Configs.parse("""
                services:
                  web:
                    prefixes: [198.51.100.80/32]
                    checks:
                      - { type: http, url: "http://127.0.0.1:8080/healthz" }
                  port:
                    prefixes: [198.51.100.81/32]
                    checks:
                      - { type: tcp, address: "127.0.0.1:8080" }
                  other:
                    prefixes: [198.51.100.82/32]
                    checks:
                      - { type: tcp, address: "127.0.0.1:8081" }
                """);
        String http = config.services().get("web").checks().get(0).spec().endpoint();
        String tcp = config.services().get("port").checks().get(0).spec().endpoint();
        String otherPort = config.services().get("other").checks().get(0).spec().endpoint();
        assertThat(http).isEqualTo(tcp).isNotEqualTo(otherPort);

        // The tcp check is splayed 90 ms after the http one; the server dies at 150 ms.
        long[] splays = {0, 90 * MS, 40 * MS};
        int[] next = {0};
        RandomGenerator staggered = new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public long nextLong(long bound) {
                return splays[next[0]++];
            }
        };
        ProbeScheduler s = new ProbeScheduler(timer, Runnable::run, timer, timer::millis, staggered, updates::add);
        ScriptedProbe port = new ScriptedProbe(timer::nanos);
        ScriptedProbe unrelated = new ScriptedProbe(timer::nanos);
        s.start(new CheckKey("web", "http"), TIMING, probe, http, confirmedUp());
        s.start(new CheckKey("port", "tcp"), TIMING, port, tcp, confirmedUp());
        s.start(new CheckKey("other", "tcp"), TIMING, unrelated, otherPort, confirmedUp());
        timer.advanceMillis(150);
        long died = timer.nanos();
        probe.failing("connect refused");
        port.failing("connect refused");
        timer.advanceMillis(50); // the http check's run at 200 ms sees the failure first
        timer.advanceMillis(20); // both re-run fast and confirm

        assertThat(updates.stream().filter(CheckUpdate::transitioned)
                .map(u -> u.key().service() + "@" + (u.finishedNanos() - died) / MS))
                .as("the tcp check confirmed with the http one, not at its own grid point (290 ms)")
                .containsExactlyInAnyOrder("web@70", "port@70");
        assertThat(unrelated.runs()).as("a check of another port keeps its own grid: 40 ms, next at 240 ms").hasSize(1);
    }
}
