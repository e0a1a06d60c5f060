package io.rhid.agent.systemd;

import io.rhid.agent.control.Heartbeat;
import io.rhid.agent.status.StatusSnapshot;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks systemd's notify protocol for a {@code Type=notify} unit: {@code READY=1} after the first
 * apply, {@code WATCHDOG=1} from the control loop's turns, {@code STOPPING=1} on SIGTERM, and a
 * one-line {@code STATUS=}. {@link #ready()} and {@link #alive()} run on the control loop's
 * thread; {@link #stopping()} may come from a signal handler; sends are serialised by the socket.
 */
public final class SystemdNotifier implements Heartbeat, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);
    /** Without a watchdog, STATUS= is refreshed at most this often. */
    private static final long STATUS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final UnixDatagram socket;
    private final String address;
    private final long watchdogNanos;
    private final LongSupplier nanos;
    private final Supplier<StatusSnapshot> snapshots;
    private long lastPingNanos;
    private long lastStatusNanos;
    private String lastStatus = "";
    private volatile boolean failedBefore;

    SystemdNotifier(UnixDatagram socket, String address, long watchdogNanos, LongSupplier nanos,
                    Supplier<StatusSnapshot> snapshots) {
        this.socket = socket;
        this.address = address;
        this.watchdogNanos = watchdogNanos;
        this.nanos = nanos;
        this.snapshots = snapshots;
        this.lastPingNanos = nanos.getAsLong();
        this.lastStatusNanos = lastPingNanos;
    }

    /**
     * A notifier when systemd asked for one ({@code NOTIFY_SOCKET} set), else empty and nothing is
     * ever sent. The watchdog is on when {@code WATCHDOG_USEC} is set and {@code WATCHDOG_PID},
     * if set, is this process.
     */
    public static Optional<SystemdNotifier> fromEnvironment(Map<String, String> env, long pid, LongSupplier nanos,
                                                            Supplier<StatusSnapshot> snapshots) {
        String address = env.get("NOTIFY_SOCKET");
        if (address == null || address.isEmpty()) {
            return Optional.empty();
        }
        try {
            UnixDatagram.address(address);
        } catch (IllegalArgumentException e) {
            log.warn("systemd: NOTIFY_SOCKET {}; not notifying", e.getMessage());
            return Optional.empty();
        }
        long watchdog = watchdogNanos(env, pid);
        UnixDatagram socket;
        try {
            socket = UnixDatagram.open();
        } catch (IOException e) {
            log.warn("systemd: {}; not notifying (the unit's start will time out)", e.getMessage());
            return Optional.empty();
        }
        log.info("systemd: notifying {}{}", address,
                watchdog > 0 ? ", watchdog every " + TimeUnit.NANOSECONDS.toMillis(watchdog) + " ms" : "");
        return Optional.of(new SystemdNotifier(socket, address, watchdog, nanos, Objects.requireNonNull(snapshots)));
    }

    /** WATCHDOG_USEC in nanoseconds, or 0 when the watchdog is off or meant for another process. */
    static long watchdogNanos(Map<String, String> env, long pid) {
        String usec = env.get("WATCHDOG_USEC");
        String forPid = env.get("WATCHDOG_PID");
        try {
            if (usec == null || (forPid != null && Long.parseLong(forPid.strip()) != pid)) {
                return 0;
            }
            long value = Long.parseLong(usec.strip());
            return value > 0 ? TimeUnit.MICROSECONDS.toNanos(value) : 0;
        } catch (NumberFormatException e) {
            log.warn("systemd: ignoring WATCHDOG_USEC={} WATCHDOG_PID={}: not a number", usec, forPid);
            return 0;
        }
    }

    @Override
    public void ready() {
        String status = status();
        send(fields("READY", "1", "STATUS", status));
        lastStatus = status;
        lastPingNanos = nanos.getAsLong();
        lastStatusNanos = lastPingNanos;
    }

    /**
     * Pings the watchdog once a quarter of its period has passed since the last ping (the loop
     * wakes at least that often, see {@link #maxWaitNanos()}), so a ping is due within half the
     * period even after a long turn; STATUS= goes along when it changed.
     */
    @Override
    public void alive() {
        long now = nanos.getAsLong();
        boolean ping = watchdogNanos > 0 && now - lastPingNanos >= watchdogNanos / 4;
        boolean statusDue = now - lastStatusNanos >= STATUS_EVERY_NANOS;
        if (!ping && !statusDue) {
            return;
        }
        Map<String, String> f = new LinkedHashMap<>();
        if (ping) {
            f.put("WATCHDOG", "1");
            lastPingNanos = now;
        }
        String status = status();
        lastStatusNanos = now;
        if (!status.equals(lastStatus)) {
            f.put("STATUS", status);
            lastStatus = status;
        }
        if (!f.isEmpty()) {
            send(f);
        }
    }

    @Override
    public long maxWaitNanos() {
        return watchdogNanos > 0 ? watchdogNanos / 4 : Long.MAX_VALUE;
    }

    /** SIGTERM arrived: systemd shows the unit as deactivating while rhid withdraws. */
    public void stopping() {
        send(fields("STOPPING", "1", "STATUS", "stopping: withdrawing everything rhid announced"));
    }

    private String status() {
        try {
            return summary(snapshots.get());
        } catch (RuntimeException e) {
            return "status unavailable: " + e;
        }
    }

    /** "3 services: 2 up, 1 down; last apply ok": one line, for systemctl status. */
    static String summary(StatusSnapshot s) {
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (String state : new String[] {"up", "degraded", "draining", "drained", "down"}) {
            byState.put(state, 0);
        }
        s.services().forEach(svc -> byState.merge(svc.state(), 1, Integer::sum));
        StringBuilder b = new StringBuilder().append(s.services().size())
                .append(s.services().size() == 1 ? " service" : " services");
        String sep = ": ";
        for (Map.Entry<String, Integer> e : byState.entrySet()) {
            if (e.getValue() > 0) {
                b.append(sep).append(e.getValue()).append(' ').append(e.getKey());
                sep = ", ";
            }
        }
        StatusSnapshot.Router r = s.router();
        switch (r.lastResult()) {
            case "ok" -> b.append("; last apply ok");
            case "pending" -> b.append("; no apply yet");
            default -> b.append("; last apply failed: ").append(r.error() == null ? r.lastResult() : r.error());
        }
        String line = b.toString().replaceAll("[\\r\\n]+", " ");
        return line.length() > 200 ? line.substring(0, 197) + "..." : line;
    }

    private static Map<String, String> fields(String... kv) {
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            f.put(kv[i], kv[i + 1]);
        }
        return f;
    }

    private void send(Map<String, String> fields) {
        StringBuilder m = new StringBuilder();
        fields.forEach((k, v) -> m.append(k).append('=').append(v).append('\n'));
        try {
            socket.send(address, m.toString());
            failedBefore = false;
        } catch (IOException e) {
            // Logged once per run of failures: the watchdog would otherwise log every few seconds.
            if (!failedBefore) {
                log.warn("systemd: {}", e.getMessage());
            }
            failedBefore = true;
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
