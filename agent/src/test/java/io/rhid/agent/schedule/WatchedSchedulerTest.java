package io.rhid.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.Timing;
import io.rhid.agent.health.RiseFall;
import io.rhid.agent.testing.FixedSplay;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeResult;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The scheduler with a real watch connection to a loopback server: with an interval of an hour,
 * only the watch can make a check run again, so a second run is the trigger's doing.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class WatchedSchedulerTest {

    static final int BOUND_MS = 10_000;
    static final long MS = 1_000_000;
    static final Timing HOURLY = new Timing(Duration.ofHours(1), Duration.ofMillis(20), Duration.ofSeconds(1), 1, 2, true);
    static final RandomGenerator NO_SPLAY = FixedSplay.NONE;

    /**
     * Confirmed up already: a first pass then agrees with the state, so it alerts no linked check
     * and the first runs are exactly one per check.
     */
    static final RiseFall UP = RiseFall.INITIAL.record(true, 1, 2);

    final BlockingQueue<CheckUpdate> updates = new LinkedBlockingQueue<>();

    @Test
    void a_close_of_the_watch_connection_runs_every_watching_check_of_the_endpoint_at_once() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             SystemTimer timer = new SystemTimer("test-timer");
             ProbeScheduler scheduler = new ProbeScheduler(timer, Runnable::run, Ticker.SYSTEM, System::currentTimeMillis,
                     NO_SPLAY, updates::add)) {
            server.setSoTimeout(BOUND_MS);
            String endpoint = "tcp 127.0.0.1:" + server.getLocalPort();
            Probe passes = () -> ProbeResult.pass();
            CheckKey web = new CheckKey("web", "http");
            CheckKey api = new CheckKey("api", "tcp");
            CheckKey blind = new CheckKey("blind", "tcp");
            scheduler.start(web, HOURLY, passes, endpoint, UP);
            scheduler.start(api, HOURLY, passes, endpoint, UP);
            scheduler.start(blind, HOURLY.watching(false), passes, endpoint, UP);
            for (int i = 0; i < 3; i++) { // the first runs, at once, all passing
                assertThat(updates.poll(BOUND_MS, TimeUnit.MILLISECONDS)).isNotNull().matches(u -> u.health().up());
            }

            Socket watchConnection = server.accept(); // one connection for both watching checks
            long closed = System.nanoTime();
            watchConnection.close();

            CheckUpdate first = updates.poll(BOUND_MS, TimeUnit.MILLISECONDS);
            CheckUpdate second = updates.poll(BOUND_MS, TimeUnit.MILLISECONDS);
            assertThat(first).isNotNull();
            assertThat(second).isNotNull();
            assertThat(java.util.List.of(first.key(), second.key())).containsExactlyInAnyOrder(web, api);
            assertThat((first.startedNanos() - closed) / MS).as("ms from the close to the run").isLessThan(2_000);
            // The server saw a single watch connection for the two checks, and gets a new one.
            try (Socket again = server.accept()) {
                assertThat(again.isConnected()).isTrue();
            }
        }
    }

    @Test
    void a_close_runs_neither_a_check_that_is_down_nor_one_that_does_not_watch() throws Exception {
        // Every connection counts as stable, so every close is news.
        ReconnectBackoff everyClose = new ReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ZERO);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             SystemTimer timer = new SystemTimer("test-timer");
             ProbeScheduler scheduler = new ProbeScheduler(timer, Runnable::run, Ticker.SYSTEM, System::currentTimeMillis,
                     NO_SPLAY, updates::add, ProbeScheduler.MAX_RUNS, ProbeScheduler.MAX_RUNS_PER_ENDPOINT, everyClose)) {
            server.setSoTimeout(BOUND_MS);
            String endpoint = "tcp 127.0.0.1:" + server.getLocalPort();
            CheckKey up = new CheckKey("web", "http");
            CheckKey down = new CheckKey("api", "http");
            CheckKey blind = new CheckKey("blind", "tcp");
            scheduler.start(up, HOURLY, () -> ProbeResult.pass(), endpoint, UP);
            scheduler.start(down, HOURLY, () -> ProbeResult.failure("status 500"), endpoint, RiseFall.INITIAL);
            scheduler.start(blind, HOURLY.watching(false), () -> ProbeResult.pass(), endpoint, UP);
            for (int i = 0; i < 3; i++) {
                assertThat(updates.poll(BOUND_MS, TimeUnit.MILLISECONDS)).isNotNull();
            }

            // Two closes: a run either of them started for the others would be scheduled with the
            // first close's run, and so be seen before the second close's run.
            for (int close = 0; close < 2; close++) {
                server.accept().close();
                CheckUpdate u = updates.poll(BOUND_MS, TimeUnit.MILLISECONDS);
                assertThat(u).as("run after close %d", close).isNotNull();
                assertThat(u.key()).isEqualTo(up);
            }
        }
    }

    @Test
    void a_refused_watch_connection_runs_the_check_and_its_failure_is_confirmed_a_fast_interval_later() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setSoTimeout(BOUND_MS);
        String endpoint = "tcp 127.0.0.1:" + server.getLocalPort();
        BlockingQueue<Boolean> verdicts = new LinkedBlockingQueue<>(java.util.List.of(true));
        Probe probe = () -> Boolean.TRUE.equals(verdicts.poll()) ? ProbeResult.pass() : ProbeResult.failure("connect refused");
        try (SystemTimer timer = new SystemTimer("test-timer");
             ProbeScheduler scheduler = new ProbeScheduler(timer, Runnable::run, Ticker.SYSTEM, System::currentTimeMillis,
                     NO_SPLAY, updates::add)) {
            CheckKey key = new CheckKey("web", "http");
            scheduler.start(key, HOURLY, probe, endpoint, RiseFall.INITIAL);
            assertThat(updates.poll(BOUND_MS, TimeUnit.MILLISECONDS)).isNotNull().matches(u -> u.health().up());
            server.accept().close(); // the watch connection, then the server is gone: its successor is refused
            server.close();

            CheckUpdate detected = updates.poll(BOUND_MS, TimeUnit.MILLISECONDS);
            CheckUpdate confirmed = updates.poll(BOUND_MS, TimeUnit.MILLISECONDS);
            assertThat(detected).isNotNull().matches(u -> u.health().up() && u.health().confirming());
            assertThat(confirmed).isNotNull().matches(CheckUpdate::transitioned).matches(u -> !u.health().up());
            assertThat(confirmed.startedNanos() - detected.finishedNanos())
                    .as("fall is paced by fast_interval, not by further closes").isGreaterThanOrEqualTo(20 * MS);
        } finally {
            server.close();
        }
    }
}
