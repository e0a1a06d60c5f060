package io.rhid.agent.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.status.StatusSnapshot;
import io.rhid.agent.testing.Snapshots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real unix datagram socket bound by the test, standing in for systemd. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SystemdNotifierTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long PID = 4242;

    @TempDir
    Path dir;

    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    UnixDatagram systemd;
    SystemdNotifier notifier;

    @AfterEach
    void close() {
        if (notifier != null) {
            notifier.close();
        }
        if (systemd != null) {
            systemd.close();
        }
    }

    SystemdNotifier notifier(Map<String, String> env) {
        notifier = SystemdNotifier.fromEnvironment(env, PID, clock::get, Snapshots::sample).orElseThrow();
        return notifier;
    }

    @Test
    void sends_ready_with_a_one_line_status_to_a_socket_path() throws Exception {
        String path = dir.resolve("notify").toString();
        systemd = UnixDatagram.bind(path);
        notifier(Map.of("NOTIFY_SOCKET", path)).ready();
        assertThat(systemd.receive(WAIT)).isEqualTo("READY=1\nSTATUS=3 services: 1 up, 1 degraded, 1 down; last apply ok\n");
    }

    @Test
    void sends_to_an_abstract_socket_named_with_an_at_sign() throws Exception {
        String name = "@rhid-test-" + UUID.randomUUID();
        systemd = UnixDatagram.bind(name);
        notifier(Map.of("NOTIFY_SOCKET", name)).ready();
        assertThat(systemd.receive(WAIT)).startsWith("READY=1\n");
    }

    @Test
    void pings_the_watchdog_from_alive_every_quarter_period_and_says_how_long_the_loop_may_wait() throws Exception {
        String path = dir.resolve("notify").toString();
        systemd = UnixDatagram.bind(path);
        SystemdNotifier n = notifier(Map.of("NOTIFY_SOCKET", path, "WATCHDOG_USEC", "2000000", "WATCHDOG_PID", "4242"));
        assertThat(n.maxWaitNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        n.ready();
        assertThat(systemd.receive(WAIT)).startsWith("READY=1\n");

        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        n.alive(); // too early: nothing
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
        n.alive();
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        n.alive();
        n.stopping();

        assertThat(List.of(systemd.receive(WAIT), systemd.receive(WAIT), systemd.receive(WAIT))).containsExactly(
                "WATCHDOG=1\n", "WATCHDOG=1\n", "STOPPING=1\nSTATUS=stopping: withdrawing everything rhid announced\n");
        assertThat(systemd.receive(Duration.ofMillis(50))).as("nothing more").isNull();
    }

    @Test
    void refreshes_the_status_when_it_changes() throws Exception {
        String path = dir.resolve("notify").toString();
        systemd = UnixDatagram.bind(path);
        StatusSnapshot[] current = {Snapshots.sample()};
        notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path), PID, clock::get, () -> current[0])
                .orElseThrow();
        assertThat(notifier.maxWaitNanos()).as("no watchdog: no wake-ups needed").isEqualTo(Long.MAX_VALUE);
        notifier.ready();
        systemd.receive(WAIT);
        StatusSnapshot s = current[0];
        current[0] = new StatusSnapshot(s.version(), s.generatedAtMillis(), s.config(), s.services(), s.announced(),
                new StatusSnapshot.Router("bird", "error", 0, 0, "Unable to connect to\nserver", 0, 0));
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        notifier.alive();
        assertThat(systemd.receive(WAIT))
                .isEqualTo("STATUS=3 services: 1 up, 1 degraded, 1 down; last apply failed: Unable to connect to server\n");
    }

    @Test
    void leaves_the_watchdog_off_when_it_is_meant_for_another_process() {
        assertThat(SystemdNotifier.watchdogNanos(Map.of("WATCHDOG_USEC", "2000000", "WATCHDOG_PID", "1"), PID)).isZero();
        assertThat(SystemdNotifier.watchdogNanos(Map.of("WATCHDOG_USEC", "2000000"), PID)).isEqualTo(2_000_000_000L);
        assertThat(SystemdNotifier.watchdogNanos(Map.of("WATCHDOG_USEC", "0"), PID)).isZero();
        assertThat(SystemdNotifier.watchdogNanos(Map.of("WATCHDOG_USEC", "x"), PID)).isZero();
        assertThat(SystemdNotifier.watchdogNanos(Map.of(), PID)).isZero();
    }

    @Test
    void does_nothing_without_notify_socket() {
        assertThat(SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "2000000"), PID, clock::get, Snapshots::sample))
                .isEmpty();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", ""), PID, clock::get, Snapshots::sample)).isEmpty();
    }

    @Test
    void builds_socket_addresses_the_way_systemd_names_them() {
        assertThat(UnixDatagram.address("/run/systemd/notify")).hasSize(2 + 19 + 1).endsWith(0);
        byte[] abstractName = UnixDatagram.address("@x");
        assertThat(abstractName).hasSize(4);
        assertThat(abstractName[2]).isZero();
        assertThat(abstractName[3]).isEqualTo((byte) 'x');
    }
}
