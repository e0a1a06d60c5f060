package io.rhid.agent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.rhid.agent.address.LoopbackApplier;
import io.rhid.agent.config.ConfigLoader;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.status.Metric;
import io.rhid.agent.router.Drift;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The control loop on a manual clock with scripted probes, a fake routing daemon and a fake
 * interface: what it applies, in which order, and when.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ControlLoopTest {

    @TempDir
    Path stateDir;

    final ManualTimer timer = new ManualTimer();
    final ScriptedProbes probes = new ScriptedProbes(timer::nanos);
    final List<String> journal = new ArrayList<>();
    final FakeRouter router = new FakeRouter(journal);
    final FakeInterface lo = new FakeInterface(journal);
    final Metrics metrics = new Metrics();
    ControlLoop loop;

    /** Given to the loop before it starts. */
    Heartbeat heartbeat = Heartbeat.NONE;

    /** What a reload reads: set by tests before they reload. */
    String reloadYaml;

    String yaml(String services, String extra) {
        return """
                router: { reconcile_interval: 1s }
                state_dir: %s
                defaults: { interval: 200ms, fast_interval: 20ms, timeout: 100ms, rise: 2, fall: 2 }
                %s
                services:
                %s""".formatted(stateDir, extra, services.indent(2));
    }

    /** interval 200ms, fast 20ms, rise 2, fall 2; the first runs are not splayed. */
    ControlLoop start(String services, String extra) {
        RhidConfig config = Configs.parse(ProbeTypes.of(probes), yaml(services, extra));
        Environment env = new Environment(timer, timer::millis, timer, Runnable::run, FixedSplay.NONE);
        LoopbackApplier loopback = new LoopbackApplier(config.addresses(), config.stateDir(), lo.runner(), Duration.ofSeconds(1));
        ConfigLoader loader = new ConfigLoader(ProbeTypes.of(probes));
        loop = new ControlLoop(config, () -> loader.parse(Path.of("rhid.yaml"), reloadYaml), ProbeTypes.of(probes), env,
                router, loopback, metrics, "test");
        loop.heartbeat(heartbeat);
        loop.start();
        return loop;
    }

    static String service(String name, String prefix, String... probeNames) {
        StringBuilder s = new StringBuilder(name + ":\n  prefixes: [" + prefix + "]\n  checks:\n");
        for (String p : probeNames) {
            s.append("    - { type: scripted, id: ").append(p).append(", probe: ").append(p).append(" }\n");
        }
        return s.toString();
    }

    /** Advances the clock (running probes) and lets the loop handle what they reported. */
    void step(long millis) {
        timer.advanceMillis(millis);
        loop.turn(0);
    }

    Prefix p(String text) {
        return Prefix.of(text);
    }

    /** Records ready and alive in the journal, between the appliers' entries. */
    final class RecordingHeartbeat implements Heartbeat {
        final long maxWait;
        int alive;

        RecordingHeartbeat(long maxWait) {
            this.maxWait = maxWait;
        }

        @Override
        public void ready() {
            journal.add("ready");
        }

        @Override
        public void alive() {
            alive++;
            journal.add("alive");
        }

        @Override
        public long maxWaitNanos() {
            return maxWait;
        }
    }

    @Test
    void is_ready_after_the_first_apply_and_alive_after_every_turn() {
        heartbeat = new RecordingHeartbeat(Long.MAX_VALUE);
        start(service("web", "203.0.113.80", "http"), "");
        assertThat(journal).containsExactly("add 203.0.113.80/32", "announce []", "ready");
        probes.get("http").passing();
        step(0);
        step(20);
        assertThat(journal).containsExactly("add 203.0.113.80/32", "announce []", "ready", "alive",
                "announce [203.0.113.80/32]", "alive");
    }

    @Test
    void wakes_as_often_as_the_watchdog_needs_even_with_nothing_to_do() {
        RecordingHeartbeat beat = new RecordingHeartbeat(TimeUnit.MILLISECONDS.toNanos(1));
        heartbeat = beat;
        start(service("web", "203.0.113.80", "http"), "");
        // The clock stands still, so without the watchdog's bound each turn would wait for the
        // reconcile due in 1 s: 20 turns would take 20 s.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < 20; i++) {
                loop.turn(Long.MAX_VALUE);
            }
        });
        assertThat(beat.alive).isEqualTo(20);
    }

    @Test
    void a_routine_result_waits_for_the_next_turn_while_a_first_failure_wakes_the_loop_at_once() {
        start(service("web", "203.0.113.80", "http"), "");
        probes.get("http").passing();
        step(0);
        step(20);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        long before = loop.snapshot().services().get(0).checks().get(0).lastRunMillis();

        timer.advanceMillis(200); // a pass of a check that is up and passed its last run
        long t0 = System.nanoTime();
        loop.turn(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(System.nanoTime() - t0).as("nothing woke the turn before its wait was over")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(loop.snapshot().services().get(0).checks().get(0).lastRunMillis())
                .as("the pass is recorded by the turn that took it").isGreaterThan(before);

        probes.get("http").failing("connect refused");
        timer.advanceMillis(200);
        t0 = System.nanoTime();
        loop.turn(TimeUnit.SECONDS.toNanos(60));
        assertThat(System.nanoTime() - t0).as("the failure woke the turn").isLessThan(TimeUnit.SECONDS.toNanos(30));
        assertThat(loop.snapshot().services().get(0).checks().get(0).lastResult()).isEqualTo("fail");
        step(20); // the second failure confirms it down
        assertThat(router.announced()).isEmpty();
        int failures = loop.snapshot().services().get(0).checks().get(0).consecutiveFailures();

        timer.advanceMillis(200); // a failure of a check that is down and failed its last run
        t0 = System.nanoTime();
        loop.turn(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(System.nanoTime() - t0).as("nothing woke the turn before its wait was over")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(loop.snapshot().services().get(0).checks().get(0).consecutiveFailures()).isEqualTo(failures + 1);
    }

    @Test
    void applies_once_at_start_with_nothing_announced_and_every_address_added() {
        start(service("web", "203.0.113.80", "http"), "");
        assertThat(router.applied()).hasSize(1);
        assertThat(router.announced()).isEmpty();
        assertThat(lo.addresses()).contains("203.0.113.80/32");
        assertThat(journal).containsExactly("add 203.0.113.80/32", "announce []");
    }

    @Test
    void announces_after_rise_passes_and_withdraws_after_fall_failures() {
        start(service("web", "203.0.113.80", "http"), "");
        probes.get("http").passing();
        step(0);
        assertThat(router.announced()).as("one pass of rise 2").isEmpty();
        step(20);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));

        probes.get("http").failing("connect refused");
        step(180); // 200: first failure
        assertThat(router.announced()).isNotEmpty();
        step(20); // 220: second failure confirms
        assertThat(router.announced()).isEmpty();
        assertThat(metrics.gauge(Metric.ROUTER_LAST_APPLY_SUCCESS)).isEqualTo(timer.millis() / 1000.0);
        assertThat(metrics.observations(Metric.ROUTER_APPLY_DURATION, "fake")).isEqualTo(router.applied().size());
        assertThat(metrics.count(Metric.TRANSITIONS, "web", "up", "down")).isEqualTo(1);
        StatusSnapshot.Service web = loop.snapshot().services().get(0);
        assertThat(web.state()).isEqualTo("down");
        assertThat(web.reason()).isEqualTo("checks[0] http scripted http: connect refused (2/2 failures)");
    }

    @Test
    void gives_the_failure_that_took_a_check_down_as_the_reason_even_when_a_pass_arrived_with_it() {
        start("""
                web:
                  prefixes: [203.0.113.80]
                  checks:
                    - { type: scripted, id: http, probe: http, fall: 1 }
                """, "");
        probes.get("http").passing();
        step(0);
        step(20);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));

        probes.get("http").failing("unexpected end of stream");
        timer.advanceMillis(180); // 200: fails, down at once with fall 1
        probes.get("http").passing();
        timer.advanceMillis(200); // 400: passes (1/2), before the loop has looked at either result
        loop.turn(0);

        assertThat(router.announced()).isEmpty();
        assertThat(metrics.count(Metric.TRANSITIONS, "web", "up", "down")).isEqualTo(1);
        assertThat(loop.snapshot().services().get(0).reason())
                .isEqualTo("checks[0] http scripted http: unexpected end of stream (1/1 failures, then 1/2 passes)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rcode REFUSED|rcode_refused",
        "rcode SERVFAIL|rcode_servfail",
        "rcode NXDOMAIN|rcode_nxdomain",
        "rcode RESERVED15|rcode_reserved15",
        "timeout after 100ms|timeout_after",
        "connection closed|connection_closed",
        "listener not accepting: 3 connections queued|listener_not_accepting",
        "status 503|status",
        "IllegalStateException: boom|other",
        "answer ABC not found|answer",
    })
    void classes_failure_reasons_for_metrics_with_one_class_per_rcode(String reason, String reasonClass) {
        assertThat(Texts.reasonClass(reason)).isEqualTo(reasonClass);
    }

    @Test
    void adds_the_address_before_announcing_and_removes_it_only_after_withdrawing() {
        start(service("web", "203.0.113.80", "http"), "addresses: { remove_when_down: true }");
        assertThat(lo.addresses()).doesNotContain("203.0.113.80/32");
        probes.get("http").passing();
        step(0);
        step(20);
        probes.get("http").failing("connect refused");
        step(180);
        step(20);
        assertThat(journal).containsExactly(
                "announce []",
                "add 203.0.113.80/32", "announce [203.0.113.80/32]",
                "announce []", "del 203.0.113.80/32");
    }

    /**
     * Replays the journal of interface and router operations (plus "hand-del A" for removals by
     * hand) and fails at the first route announced while its address is not on the interface, or
     * address removed while its route is still announced.
     */
    static void assertAddressesBeforeRoutes(List<String> journal, java.util.Set<String> initially) {
        java.util.Set<String> present = new java.util.TreeSet<>(initially);
        java.util.Set<String> announced = new java.util.TreeSet<>();
        for (int i = 0; i < journal.size(); i++) {
            String e = journal.get(i);
            if (e.startsWith("add ")) {
                present.add(e.substring(4));
            } else if (e.startsWith("del ") || e.startsWith("hand-del ")) {
                String a = e.substring(e.indexOf(' ') + 1);
                assertThat(e.startsWith("hand-") || !announced.contains(a))
                        .as("step %d, %s: the route is still announced; journal %s", i, e, journal).isTrue();
                present.remove(a);
            } else if (e.equals("withdraw all")) {
                announced.clear();
            } else if (e.startsWith("announce [")) {
                String list = e.substring("announce [".length(), e.length() - 1);
                announced.clear();
                if (!list.isEmpty()) {
                    announced.addAll(List.of(list.split(", ")));
                }
                for (String a : announced) {
                    assertThat(present).as("step %d, %s: address %s is not on the interface; journal %s", i, e, a, journal)
                            .contains(a);
                }
            }
        }
    }

    @Test
    void drift_repair_adds_an_address_removed_by_hand_before_announcing_a_route_withdrawn_by_hand() {
        start(service("web", "203.0.113.80", "http"), "");
        probes.get("http").passing();
        step(0);
        step(20);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        // By hand: the address deleted and the route withdrawn (birdc disable, say).
        lo.remove("203.0.113.80/32");
        journal.add("hand-del 203.0.113.80/32");
        journal.add("announce []");
        router.driftNext(new Drift("routes", "rhid4 holds 0 routes, expected 1"));
        step(980); // the reconcile at 1 s finds both and repairs
        assertThat(metrics.count(Metric.DRIFT_REPAIRS, "routes")).isEqualTo(1);
        assertThat(metrics.count(Metric.DRIFT_REPAIRS, "address")).isEqualTo(1);
        assertThat(journal.subList(journal.size() - 2, journal.size()))
                .containsExactly("add 203.0.113.80/32", "announce [203.0.113.80/32]");
        assertAddressesBeforeRoutes(journal, java.util.Set.of());
    }

    @Test
    void adds_an_address_removed_by_hand_before_announcing_its_route_even_before_the_next_drift_check() {
        start(service("web", "203.0.113.80", "http"), "");
        lo.remove("203.0.113.80/32"); // between the start and the service coming up
        journal.add("hand-del 203.0.113.80/32");
        probes.get("http").passing();
        step(0);
        step(20);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        assertThat(journal.subList(journal.size() - 2, journal.size()))
                .containsExactly("add 203.0.113.80/32", "announce [203.0.113.80/32]");
        assertAddressesBeforeRoutes(journal, java.util.Set.of());
    }

    @Test
    void keeps_the_order_through_announce_withdraw_drift_and_stop_with_remove_when_down() {
        start(service("web", "203.0.113.80", "http") + service("dns", "203.0.113.53", "dns"),
                "addresses: { remove_when_down: true }");
        probes.get("http").passing();
        probes.get("dns").passing();
        step(0);
        step(20);
        probes.get("dns").failing("refused");
        step(180);
        step(20);
        lo.remove("203.0.113.80/32");
        journal.add("hand-del 203.0.113.80/32");
        router.driftNext(new Drift("routes", "rhid4 holds 0 routes, expected 1"));
        step(780);
        probes.get("dns").passing();
        step(200);
        step(20);
        router.failNext("cannot write rhid.conf: No space left on device");
        loop.submit(new ControlLoop.Stop());
        loop.turn(0);
        assertThat(loop.withdrawnOnStop()).isTrue();
        assertThat(journal).endsWith("withdraw all", "del 203.0.113.53/32", "del 203.0.113.80/32");
        assertAddressesBeforeRoutes(journal, java.util.Set.of());
    }

    @Test
    void records_a_new_announcement_before_the_daemon_is_told_so_a_kill_mid_apply_leaves_it_named() throws Exception {
        start(service("web", "203.0.113.80", "http"), "");
        probes.get("http").passing();
        // The daemon's apply fails after it may have taken the change, as when rhid is killed
        // between the reload and the record's update: withdraw-all must still find the prefix.
        router.failNext("killed mid-apply");
        step(0);
        step(20);
        assertThat(journal).as("the failed apply").doesNotContain("announce [203.0.113.80/32]");
        assertThat(io.rhid.agent.router.AppliedRecord.read(stateDir).orElseThrow().announced())
                .containsExactly("203.0.113.80/32");
    }

    @Test
    void retries_the_withdrawal_on_stop_until_the_daemon_confirms_it() {
        start(service("web", "203.0.113.80", "http"), "addresses: { remove_when_down: true }");
        loop.pauseWith(d -> timer.advanceMillis(d.toMillis()));
        probes.get("http").passing();
        step(0);
        step(20);
        router.failNext("birdc configure timed out");
        router.failWithdrawAll(3, "birdc configure timed out");
        long before = timer.nanos();
        loop.submit(new ControlLoop.Stop());
        loop.turn(0);
        assertThat(router.withdrawAllAttempts()).isEqualTo(4);
        assertThat(timer.nanos() - before).as("paused 250 + 500 + 1000 ms").isEqualTo(1_750_000_000L);
        assertThat(loop.withdrawnOnStop()).isTrue();
        assertThat(lo.addresses()).doesNotContain("203.0.113.80/32");
        assertAddressesBeforeRoutes(journal, java.util.Set.of());
    }

    @Test
    void keeps_the_addresses_and_reports_an_unconfirmed_withdrawal_when_the_daemon_never_answers() {
        start(service("web", "203.0.113.80", "http"), "addresses: { remove_when_down: true }");
        loop.pauseWith(d -> timer.advanceMillis(d.toMillis()));
        probes.get("http").passing();
        step(0);
        step(20);
        router.failNext("birdc configure timed out");
        router.failWithdrawAll(1000, "birdc configure timed out");
        long before = timer.nanos();
        loop.submit(new ControlLoop.Stop());
        assertThat(loop.turn(0)).isFalse();
        assertThat(loop.withdrawnOnStop()).isFalse();
        assertThat(timer.nanos() - before).as("bounded by Withdrawal.BOUND").isEqualTo(15_000_000_000L);
        assertThat(router.withdrawAllAttempts()).isBetween(8, 12);
        assertThat(lo.addresses()).as("kept while the route may be announced").contains("203.0.113.80/32");
    }

    @Test
    void applies_failures_that_arrive_together_as_one_change() {
        start(service("a", "198.51.100.1", "shared") + service("b", "198.51.100.2", "shared")
                + service("c", "198.51.100.3", "shared"), "");
        probes.get("shared").passing();
        step(0);
        step(21); // rise: the siblings' runs, started by the first pass, are spread over 1 ms
        assertThat(router.announced()).hasSize(3);
        int applies = router.applied().size();

        probes.get("shared").failing("connect refused");
        step(180);
        step(20);
        assertThat(router.announced()).isEmpty();
        assertThat(router.applied()).as("one apply withdrew all three").hasSize(applies + 1);
    }

    /** A service whose one check runs the scripted probe {@code probe} with its own timing. */
    static String timed(String name, String prefix, String probe, String timing) {
        return name + ":\n  prefixes: [" + prefix + "]\n  checks:\n    - { type: scripted, id: " + name + ", probe: " + probe
                + ", " + timing + " }\n";
    }

    /** Steps 1 ms at a time until the probe has run again: the first run after it changed. */
    void stepUntilRun(String probe) {
        int runs = probes.get(probe).runs().size();
        for (int i = 0; i < 1_000 && probes.get(probe).runs().size() == runs; i++) {
            step(1);
        }
        assertThat(probes.get(probe).runs()).as("ran again").hasSizeGreaterThan(runs);
    }

    /** Steps until every prefix is announced. */
    void stepUntilAnnounced(int prefixes) {
        for (int i = 0; i < 200 && router.announced().size() < prefixes; i++) {
            step(5);
        }
        assertThat(router.announced()).hasSize(prefixes);
    }

    @Test
    void withdraws_a_dead_servers_services_in_one_apply_when_their_confirmations_arrive_apart() {
        start(timed("a", "198.51.100.1", "shared", "fast_interval: 20ms") + timed("b", "198.51.100.2", "shared",
                "fast_interval: 25ms") + timed("c", "198.51.100.3", "shared", "fast_interval: 25ms"), "");
        probes.get("shared").passing();
        stepUntilAnnounced(3);
        int applies = router.applied().size();

        probes.get("shared").failing("connect refused");
        stepUntilRun("shared"); // the first failure of each: all three are confirming
        step(20); // a confirms; b and c confirm 5 ms later
        assertThat(loop.snapshot().services()).filteredOn(s -> s.name().equals("a")).extracting(s -> s.state())
                .containsExactly("down");
        assertThat(router.applied()).as("held while b and c confirm").hasSize(applies);
        assertThat(router.announced()).hasSize(3);
        step(5);
        assertThat(router.announced()).isEmpty();
        assertThat(router.applied()).as("one apply withdrew all three").hasSize(applies + 1);
    }

    @Test
    void applies_a_lone_failure_at_once() {
        start(timed("a", "198.51.100.1", "one", "fast_interval: 20ms") + timed("b", "198.51.100.2", "two",
                "fast_interval: 20ms"), "");
        probes.get("one").passing();
        probes.get("two").passing();
        stepUntilAnnounced(2);

        probes.get("one").failing("connect refused");
        stepUntilRun("one");
        step(20);
        assertThat(router.announced()).containsExactly(p("198.51.100.2/32"));
    }

    @Test
    void holds_a_withdrawal_for_linked_checks_at_most_twice_the_fast_interval() {
        start(timed("a", "198.51.100.1", "shared", "fast_interval: 20ms") + timed("b", "198.51.100.2", "shared",
                "fast_interval: 20ms, fall: 10"), "");
        probes.get("shared").passing();
        stepUntilAnnounced(2);
        int applies = router.applied().size();

        probes.get("shared").failing("connect refused");
        stepUntilRun("shared");
        step(20); // a confirms; b needs 8 more failures
        step(39);
        assertThat(router.applied()).as("held while b confirms").hasSize(applies);
        step(1);
        assertThat(router.announced()).as("the hold ended after 2 x fast_interval").containsExactly(p("198.51.100.2/32"));
        assertThat(router.applied()).hasSize(applies + 1);
    }

    @Test
    void keeps_the_last_good_state_and_retries_a_failed_apply_with_backoff() {
        start(service("web", "203.0.113.80", "http"), "");
        probes.get("http").passing();
        router.failNext("birdc configure failed (exit 1): syntax error");
        router.failNext("birdc configure failed (exit 1): syntax error");
        step(0);
        step(20);
        assertThat(router.announced()).isEmpty();
        StatusSnapshot.Router r = loop.snapshot().router();
        assertThat(r.lastResult()).isEqualTo("error");
        assertThat(r.error()).isEqualTo("birdc configure failed (exit 1): syntax error");
        assertThat(loop.snapshot().announced()).isEmpty();

        step(249);
        assertThat(router.attempts()).as("no retry before 250 ms").isEqualTo(2);
        step(1);
        assertThat(router.attempts()).isEqualTo(3);
        assertThat(router.announced()).isEmpty();
        step(499);
        assertThat(router.attempts()).as("backoff doubled to 500 ms").isEqualTo(3);
        step(1);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        assertThat(loop.snapshot().router().lastResult()).isEqualTo("ok");
        assertThat(metrics.count(Metric.ROUTER_APPLIES, "fake", "error")).isEqualTo(2);
    }

    @Test
    void applies_a_new_change_at_once_even_while_a_failed_one_waits_for_its_retry() {
        start(service("a", "198.51.100.1", "a") + service("b", "198.51.100.2", "b"), "");
        probes.get("a").passing();
        probes.get("b").passing();
        step(0);
        step(20);
        probes.get("a").failing("connect refused");
        router.failNext("busy");
        step(180);
        step(20);
        assertThat(router.announced()).hasSize(2);
        probes.get("b").failing("connect refused");
        step(180);
        step(20); // a different desired state: tried now, not after the backoff
        assertThat(router.announced()).isEmpty();
    }

    @Test
    void repairs_drift_found_at_the_reconcile_interval() {
        start(service("web", "203.0.113.80", "http"), "");
        probes.get("http").passing();
        step(0);
        step(20);
        int applies = router.applied().size();
        router.driftNext(new Drift("file", "rhid.conf was changed outside rhid"));
        step(1000);
        assertThat(router.applied()).hasSize(applies + 1);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        assertThat(metrics.count(Metric.DRIFT_REPAIRS, "file")).isEqualTo(1);
    }

    @Test
    void retries_after_a_failed_drift_check_although_nothing_changed_and_looks_for_drift_again() {
        start(service("web", "203.0.113.80", "http"), "");
        probes.get("http").passing();
        step(0);
        step(20);
        int attempts = router.attempts();
        router.failDriftNext("Unable to connect to server control socket (/run/bird/bird.ctl): Connection refused");
        step(1000); // reconcile: the drift check fails (BIRD was restarted, say)
        assertThat(loop.snapshot().router().lastResult()).isEqualTo("error");
        step(250); // the retry is due: re-apply what was applied, though no health changed
        assertThat(router.attempts()).isEqualTo(attempts + 1);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        assertThat(loop.snapshot().router().lastResult()).isEqualTo("ok");
        router.driftNext(new Drift("file", "rhid.conf was changed outside rhid"));
        step(1000); // and drift is looked for again
        assertThat(metrics.count(Metric.DRIFT_REPAIRS, "file")).isEqualTo(1);
        assertThat(router.attempts()).isEqualTo(attempts + 2);
    }

    @Test
    void retries_a_failed_drift_repair_although_nothing_changed() {
        start(service("web", "203.0.113.80", "http"), "");
        probes.get("http").passing();
        step(0);
        step(20);
        int attempts = router.attempts();
        router.driftNext(new Drift("file", "rhid.conf is missing"));
        router.failNext("birdc configure failed (exit 1): still starting");
        step(1000); // the repair fails
        assertThat(router.attempts()).isEqualTo(attempts + 1);
        assertThat(loop.snapshot().router().lastResult()).isEqualTo("error");
        step(250);
        assertThat(router.attempts()).isEqualTo(attempts + 2);
        assertThat(loop.snapshot().router().lastResult()).isEqualTo("ok");
    }

    @Test
    void restores_an_address_removed_by_hand() {
        probes.get("http").failing("connect refused"); // no health change, so only drift repair can re-add it
        start(service("web", "203.0.113.80", "http"), "");
        lo.remove("203.0.113.80/32");
        step(1000);
        assertThat(lo.addresses()).contains("203.0.113.80/32");
        assertThat(metrics.count(Metric.DRIFT_REPAIRS, "address")).isEqualTo(1);
    }

    @Test
    void never_removes_an_address_it_did_not_add() {
        lo.add("203.0.113.80/32");
        start(service("web", "203.0.113.80", "http"), "addresses: { remove_when_down: true }");
        probes.get("http").passing();
        step(0);
        step(20);
        probes.get("http").failing("connect refused");
        step(180);
        step(20);
        assertThat(router.announced()).isEmpty();
        assertThat(lo.addresses()).contains("203.0.113.80/32");
        assertThat(lo.changes()).noneMatch(c -> c.startsWith("del"));
    }

    @Test
    void withholds_a_route_whose_address_could_not_be_added() {
        lo.refuse("198.51.100.2/32");
        start(service("a", "198.51.100.1", "a") + service("b", "198.51.100.2", "a"), "");
        probes.get("a").passing();
        step(0);
        step(20);
        assertThat(router.announced()).containsExactly(p("198.51.100.1/32"));
        assertThat(loop.snapshot().router().error()).contains("could not add [198.51.100.2/32]");
    }

    @Test
    void does_not_announce_before_every_check_has_had_rise_results() {
        start("""
                web:
                  prefixes: [203.0.113.80]
                  policy: any
                  checks:
                    - { type: scripted, id: fast, probe: fast }
                    - { type: scripted, id: slow, probe: slow, interval: 1s, fast_interval: 0ms, timeout: 500ms }
                """, "");
        probes.get("fast").passing();
        probes.get("slow").failing("starting");
        step(0);
        step(20);
        assertThat(router.announced()).as("slow has had 1 of 2 results").isEmpty();
        assertThat(loop.snapshot().services().get(0).reason()).isEqualTo("starting: slow has 1 of 2 results");
        step(980); // slow's second result
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        assertThat(loop.snapshot().services().get(0).state()).isEqualTo("degraded");
    }

    @Test
    void withdraws_everything_on_stop_and_keeps_addresses_unless_remove_when_down() {
        start(service("web", "203.0.113.80", "http"), "");
        probes.get("http").passing();
        step(0);
        step(20);
        loop.submit(new ControlLoop.Stop());
        assertThat(loop.turn(0)).isFalse();
        assertThat(router.announced()).isEmpty();
        assertThat(lo.addresses()).contains("203.0.113.80/32");
        timer.advanceMillis(1000);
        assertThat(probes.get("http").closed()).isTrue();
    }

    @Test
    void removes_its_addresses_on_stop_with_remove_when_down() {
        start(service("web", "203.0.113.80", "http"), "addresses: { remove_when_down: true }");
        probes.get("http").passing();
        step(0);
        step(20);
        loop.submit(new ControlLoop.Stop());
        loop.turn(0);
        assertThat(router.announced()).isEmpty();
        assertThat(lo.addresses()).doesNotContain("203.0.113.80/32");
        assertThat(journal.subList(journal.size() - 2, journal.size()))
                .containsExactly("announce []", "del 203.0.113.80/32");
    }

    // ---- operator commands -------------------------------------------------------------------

    Operations.Reply reply(java.util.concurrent.CompletableFuture<Operations.Reply> f) {
        loop.turn(0);
        assertThat(f).as("replied within the turn").isDone();
        return f.join();
    }

    void upAndAnnounced(String probe) {
        probes.get(probe).passing();
        step(0);
        step(20);
    }

    @Test
    void drains_with_graceful_shutdown_for_drain_hold_then_withdraws_until_resumed() {
        start(service("web", "203.0.113.80", "http") + "  drain_hold: 5s\n", "");
        upAndAnnounced("http");

        Operations.Reply r = reply(loop.drain(List.of("web"), false));
        assertThat(r.ok()).isTrue();
        assertThat(r.message()).isEqualTo("web: draining (withdrawn after drain_hold 5s)");
        var draining = router.applied().get(router.applied().size() - 1).announcements().get(p("203.0.113.80/32"));
        assertThat(draining.state().label()).isEqualTo("draining");
        assertThat(draining.attributes().communities()).extracting(Object::toString).containsExactly("65535:0");

        step(4990);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        step(10);
        assertThat(router.announced()).isEmpty();
        assertThat(loop.snapshot().services().get(0).state()).isEqualTo("drained");
        step(2000);
        assertThat(router.announced()).as("stays withdrawn while healthy").isEmpty();

        Operations.Reply resumed = reply(loop.resume(List.of("web"), false));
        assertThat(resumed.message()).isEqualTo("web: up");
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
    }

    @Test
    void withdraws_at_once_when_a_draining_service_fails() {
        start(service("web", "203.0.113.80", "http"), "");
        upAndAnnounced("http");
        reply(loop.drain(List.of("web"), false));
        probes.get("http").failing("connect refused");
        step(180);
        step(20);
        assertThat(router.announced()).isEmpty();
        assertThat(loop.snapshot().services().get(0).state()).isEqualTo("drained");
    }

    @Test
    void keeps_a_drain_across_a_restart() {
        start(service("web", "203.0.113.80", "http"), "");
        upAndAnnounced("http");
        reply(loop.drain(List.of("web"), false));

        ControlLoop restarted = start(service("web", "203.0.113.80", "http"), "");
        upAndAnnounced("http");
        assertThat(restarted.snapshot().services().get(0).state()).isEqualTo("drained");
        assertThat(router.announced()).isEmpty();
    }

    @Test
    void refuses_to_drain_a_service_it_does_not_know() {
        start(service("web", "203.0.113.80", "http"), "");
        Operations.Reply r = reply(loop.drain(List.of("mail"), false));
        assertThat(r.ok()).isFalse();
        assertThat(r.message()).isEqualTo("no service named mail (services: web)");
    }

    @Test
    void drains_and_resumes_every_service_with_all() {
        start(service("a", "198.51.100.1", "a") + service("b", "198.51.100.2", "a") + "  drain_hold: 0s\n", "");
        upAndAnnounced("a");
        assertThat(reply(loop.drain(List.of(), true)).message()).isEqualTo("a: draining (withdrawn after drain_hold 30s)\nb: drained");
        assertThat(router.announced()).containsExactly(p("198.51.100.1/32"));
        assertThat(reply(loop.resume(List.of(), true)).message()).isEqualTo("a: up\nb: up");
        assertThat(router.announced()).hasSize(2);
    }

    @Test
    void runs_checks_at_once_on_recheck() {
        start(service("web", "203.0.113.80", "http"), "");
        upAndAnnounced("http");
        int runs = probes.get("http").runs().size();
        assertThat(reply(loop.recheck(List.of("web"))).message()).isEqualTo("web: checks run now; up");
        timer.runDue();
        assertThat(probes.get("http").runs()).hasSize(runs + 1);
    }

    @Test
    void changes_nothing_when_the_reloaded_file_is_invalid() {
        start(service("web", "203.0.113.80", "http"), "");
        upAndAnnounced("http");
        int applies = router.applied().size();
        reloadYaml = "services:\n  web:\n    prefixes: [203.0.113.80/24]\n";
        Operations.Reply r = reply(loop.reload());
        assertThat(r.ok()).isFalse();
        assertThat(r.message()).isEqualTo("""
                reload refused, nothing changed: 2 errors:
                rhid.yaml:3:5: services.web.checks: is required
                rhid.yaml:3:16: services.web.prefixes[0]: has host bits set (found "203.0.113.80/24", the network is 203.0.113.0/24)""");
        step(1000);
        assertThat(router.applied()).hasSize(applies);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        assertThat(metrics.count(Metric.CONFIG_RELOADS, "error")).isEqualTo(1);
        assertThat(metrics.count(Metric.CONFIG_RELOADS, "ok")).isZero();
        assertThat(metrics.gauge(Metric.CONFIG_LAST_RELOAD_SUCCESS))
                .as("still the start, when the running config was loaded")
                .isEqualTo(metrics.gauge(Metric.START_TIME));
    }

    @Test
    void reloads_without_touching_unchanged_services() {
        start(service("web", "203.0.113.80", "http"), "");
        upAndAnnounced("http");
        int applies = router.applied().size();
        reloadYaml = yaml(service("web", "203.0.113.80", "http") + service("dns", "198.51.100.53", "dns"), "");
        double started = metrics.gauge(Metric.START_TIME);
        timer.advanceMillis(5000);
        Operations.Reply r = reply(loop.reload());
        assertThat(r.message()).isEqualTo("reloaded rhid.yaml: 2 services, added dns; 1 check kept its state, 1 started");
        assertThat(metrics.count(Metric.CONFIG_RELOADS, "ok")).isEqualTo(1);
        assertThat(metrics.gauge(Metric.CONFIG_LAST_RELOAD_SUCCESS)).isEqualTo(timer.millis() / 1000.0)
                .isGreaterThanOrEqualTo(started + 5);
        assertThat(router.applied()).as("dns starts down: only its address is added, the router is not touched")
                .hasSize(applies);
        assertThat(lo.addresses()).contains("198.51.100.53/32");

        probes.get("dns").passing();
        step(200);
        step(20);
        assertThat(router.announced()).containsExactly(p("198.51.100.53/32"), p("203.0.113.80/32"));
        assertThat(router.applied().subList(applies, router.applied().size()))
                .allSatisfy(d -> assertThat(d.announcements()).containsKey(p("203.0.113.80/32")));
    }

    @Test
    void holds_a_service_announced_while_checks_added_by_a_reload_rise() {
        start(service("web", "203.0.113.80", "http"), "");
        upAndAnnounced("http");
        reloadYaml = yaml(service("web", "203.0.113.80", "http", "extra"), "");
        probes.get("extra").passing();
        reply(loop.reload());
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        assertThat(loop.snapshot().services().get(0).reason()).isEqualTo("reloaded: waiting for extra has 0 of 2 results");
        step(0);
        assertThat(loop.snapshot().services().get(0).reason()).isEqualTo("reloaded: waiting for extra has 1 of 2 results");
        step(20);
        assertThat(loop.snapshot().services().get(0).reason()).isEqualTo("all 2 checks pass");
        assertThat(metrics.count(Metric.TRANSITIONS, "web", "up", "down")).isZero();
    }

    @Test
    void withdraws_a_service_removed_by_a_reload() {
        start(service("web", "203.0.113.80", "http") + service("dns", "198.51.100.53", "dns"), "");
        probes.get("dns").passing();
        upAndAnnounced("http");
        assertThat(router.announced()).hasSize(2);
        reloadYaml = yaml(service("web", "203.0.113.80", "http"), "");
        assertThat(reply(loop.reload()).message()).contains("removed dns");
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        assertThat(probes.get("dns").closed()).isTrue();
        assertThat(probes.get("http").closed()).isFalse();
    }

    @Test
    void runs_on_change_after_the_transition_is_applied(@TempDir Path out) throws Exception {
        Path file = out.resolve("hook.txt");
        start("""
                web:
                  prefixes: [203.0.113.80]
                  on_change: [/bin/sh, -c, 'echo "$RHID_SERVICE $RHID_FROM $RHID_TO $RHID_PREFIXES" >> %s']
                  checks:
                    - { type: scripted, probe: http }
                """.formatted(file), "");
        upAndAnnounced("http");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!(java.nio.file.Files.exists(file) && java.nio.file.Files.readString(file).endsWith("\n"))
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(java.nio.file.Files.readString(file)).isEqualTo("web down up 203.0.113.80/32\n");
    }

    // ---- guard rails -------------------------------------------------------------------------

    @Test
    void holds_a_flapping_service_withdrawn_for_the_hold_time() {
        start(service("web", "203.0.113.80", "http") + "  rise: 1\n  fall: 1\n  fast_interval: 0ms\n",
                "flap: { max_changes: 3, window: 10s, hold: 5s }");
        var http = probes.get("http");
        http.passing();
        step(0); // up (1st change)
        http.failing("connect refused");
        step(200); // down (2nd)
        http.passing();
        step(200); // up (3rd)
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        http.failing("connect refused");
        step(200); // t=600, down: the 4th change is more than 3 within 10s -> held until t=5600
        assertThat(metrics.count(Metric.FLAP_HOLDS, "web")).isEqualTo(1);
        http.passing();
        step(200); // healthy again, but held
        assertThat(router.announced()).isEmpty();
        assertThat(loop.snapshot().services().get(0).reason()).isEqualTo("held withdrawn by flap damping for 4s more: "
                + "over 3 state changes within 10s (now up; `rhid resume web` releases the hold)");
        timer.advanceMillis(1000);
        assertThat(loop.snapshot().services().get(0).reason()).as("computed when shown, never stale")
                .startsWith("held withdrawn by flap damping for 3s more");

        step(3780);
        assertThat(router.announced()).as("still held at t=5580").isEmpty();
        step(20);
        assertThat(router.announced()).as("hold over, healthy: announced").containsExactly(p("203.0.113.80/32"));
    }

    @Test
    void resume_releases_a_flap_hold_and_says_so() {
        start(service("web", "203.0.113.80", "http") + "  rise: 1\n  fall: 1\n  fast_interval: 0ms\n",
                "flap: { max_changes: 1, window: 10s, hold: 1m }");
        var http = probes.get("http");
        http.passing();
        step(0); // up
        http.failing("connect refused");
        step(200); // down: the 2nd change within 10s -> held for 1m
        http.passing();
        step(200);
        assertThat(router.announced()).as("healthy but held").isEmpty();

        Operations.Reply r = reply(loop.resume(List.of("web"), false));
        assertThat(r.ok()).isTrue();
        assertThat(r.message()).isEqualTo("web: up (flap damping hold released)");
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        assertThat(reply(loop.resume(List.of("web"), false)).message()).as("nothing left to release").isEqualTo("web: up");
    }

    @Test
    void does_not_damp_when_turned_off() {
        start(service("web", "203.0.113.80", "http") + "  rise: 1\n  fall: 1\n  fast_interval: 0ms\n",
                "flap: { max_changes: 0 }");
        var http = probes.get("http");
        for (int i = 0; i < 10; i++) {
            if (i % 2 == 0) {
                http.passing();
            } else {
                http.failing("connect refused");
            }
            step(i == 0 ? 0 : 200);
        }
        assertThat(router.announced()).isEmpty(); // the 10th result failed
        http.passing();
        step(200);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
        assertThat(metrics.count(Metric.FLAP_HOLDS, "web")).isZero();
    }

    @Test
    void announces_nothing_before_the_startup_delay_has_passed() {
        start(service("web", "203.0.113.80", "http"), "startup_delay: 2s");
        upAndAnnounced("http");
        assertThat(router.announced()).isEmpty();
        assertThat(loop.snapshot().services().get(0).reason()).startsWith("starting: startup_delay");
        step(1980);
        assertThat(router.announced()).containsExactly(p("203.0.113.80/32"));
    }
}
