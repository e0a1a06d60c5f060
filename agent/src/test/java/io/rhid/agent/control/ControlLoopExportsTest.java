package io.rhid.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.address.LoopbackApplier;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.ExportQuery;
import io.rhid.agent.status.Metrics;
import io.rhid.agent.status.StatusSnapshot;
import io.rhid.agent.testing.Configs;
import io.rhid.agent.testing.FakeInterface;
import io.rhid.agent.testing.FakeRouter;
import io.rhid.agent.testing.FixedSplay;
import io.rhid.agent.testing.ManualTimer;
import io.rhid.agent.testing.ScriptedProbes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the control loop asks the routing daemon what it exports, and what it does with the
 * answer: on a manual clock, with scripted answers, and with the questions' executor under the
 * test's control where it matters that the loop never waits for them.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ControlLoopExportsTest {

    @TempDir
    Path stateDir;

    final ManualTimer timer = new ManualTimer();
    final ScriptedProbes probes = new ScriptedProbes(timer::nanos);
    final FakeRouter router = new FakeRouter();
    final FakeInterface lo = new FakeInterface(new ArrayList<>());
    final Metrics metrics = new Metrics();
    /** Answers in order; when empty, the last one again. An exception is thrown instead of answered. */
    final Deque<Object> answers = new ArrayDeque<>();
    int questions;
    /** Runs once inside the next question, as if the loop went on meanwhile. */
    Runnable during;
    Object last = exports(List.of("upstream"), Map.of());
    ControlLoop loop;

    final ExportQuery query = () -> {
        questions++;
        if (during != null) {
            Runnable r = during;
            during = null;
            r.run();
        }
        if (!answers.isEmpty()) {
            last = answers.poll();
        }
        if (last instanceof ApplyException e) {
            throw e;
        }
        return (ExportQuery.Exports) last;
    };

    static ExportQuery.Exports exports(List<String> sessions, Map<String, Integer> counts) {
        java.util.TreeMap<Prefix, Integer> m = new java.util.TreeMap<>();
        counts.forEach((p, n) -> m.put(Prefix.of(p), n));
        return new ExportQuery.Exports(sessions, m);
    }

    void start(Executor executor) {
        RhidConfig config = Configs.parse(ProbeTypes.of(probes), """
                router: { reconcile_interval: 10s }
                state_dir: %s
                defaults: { interval: 200ms, fast_interval: 20ms, timeout: 100ms, rise: 2, fall: 2 }
                services:
                  dns:
                    prefixes: [198.51.100.53/32, "2001:db8::53/128"]
                    checks: [{ type: scripted, id: dns, probe: dns }]
                """.formatted(stateDir));
        Environment env = new Environment(timer, timer::millis, timer, Runnable::run, FixedSplay.NONE);
        LoopbackApplier loopback = new LoopbackApplier(config.addresses(), config.stateDir(), lo.runner(), Duration.ofSeconds(1));
        loop = new ControlLoop(config, () -> config, ProbeTypes.of(probes), env, router, loopback, metrics, "test", query,
                executor);
        loop.start();
    }

    void step(long millis) {
        timer.advanceMillis(millis);
        loop.turn(0);
    }

    void announce() {
        probes.get("dns").passing();
        step(0);
        step(20);
        assertThat(router.announced()).hasSize(2);
    }

    @Test
    void asks_after_every_apply_again_once_the_peers_had_time_and_every_reconcile_interval() {
        start(Runnable::run);
        assertThat(questions).as("after the first apply").isEqualTo(1);
        announce();
        assertThat(questions).as("after the announcement").isEqualTo(2);
        step(1_000);
        assertThat(questions).isEqualTo(2);
        step(1_000);
        assertThat(questions).as("2 s after the apply").isEqualTo(3);
        step(5_000);
        assertThat(questions).isEqualTo(3);
        step(3_000);
        assertThat(questions).as("at the reconcile interval").isEqualTo(4);
    }

    @Test
    void shows_per_announced_prefix_how_many_sessions_export_it() {
        answers.add(exports(List.of("upstream"), Map.of()));
        answers.add(exports(List.of("upstream"), Map.of("198.51.100.53/32", 1)));
        start(Runnable::run);
        announce();
        StatusSnapshot s = loop.snapshot();
        assertThat(s.announced()).extracting(StatusSnapshot.Announced::prefix, StatusSnapshot.Announced::exportedTo)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("198.51.100.53/32", 1),
                        org.assertj.core.groups.Tuple.tuple("2001:db8::53/128", 0));
        assertThat(s.exports().sessions()).containsExactly("upstream");
        assertThat(s.exports().prefixes()).containsExactly(Map.entry("198.51.100.53/32", 1), Map.entry("2001:db8::53/128", 0));
    }

    @Test
    void reports_a_failed_question_without_touching_the_routes_and_recovers_at_the_next() {
        start(Runnable::run);
        announce();
        int applies = router.applied().size();
        answers.add(new ApplyException("birdc show protocols all failed (timed out): (no reply within the time limit)"));
        answers.add(exports(List.of("upstream"), Map.of("198.51.100.53/32", 1, "2001:db8::53/128", 1)));
        step(2_000);
        StatusSnapshot s = loop.snapshot();
        assertThat(s.exports().error()).startsWith("birdc show protocols all failed (timed out)");
        assertThat(s.announced()).allSatisfy(a -> assertThat(a.exportedTo()).as("unknown, not 0").isNull());
        assertThat(s.router().lastResult()).isEqualTo("ok");
        assertThat(router.applied()).hasSize(applies);
        assertThat(router.announced()).hasSize(2);
        step(8_000);
        assertThat(loop.snapshot().exports().error()).isNull();
        assertThat(loop.snapshot().announced()).allSatisfy(a -> assertThat(a.exportedTo()).isEqualTo(1));
    }

    @Test
    void never_waits_for_a_question_and_folds_requests_made_meanwhile_into_one_more() {
        List<Runnable> queued = new ArrayList<>();
        start(queued::add);
        assertThat(queued).as("asked off the loop's thread").hasSize(1);
        assertThat(questions).isZero();
        announce(); // another apply before the first question ran: that question covers it
        assertThat(queued).as("no second task while one is pending").hasSize(1);
        during = () -> step(2_000); // the follow-up is requested while the question runs
        queued.remove(0).run();
        assertThat(questions).as("the pending question, then one more for the request made meanwhile").isEqualTo(2);
        assertThat(queued).isEmpty();
        step(8_000);
        assertThat(queued).as("idle again: the next request starts a task").hasSize(1);
    }
}
