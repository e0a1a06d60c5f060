package io.rhid.agent.testing;

import io.rhid.agent.status.Metric;
import io.rhid.agent.status.Metrics;
import io.rhid.agent.status.StatusSnapshot;
import java.util.List;

/** A fixed daemon state for status, metrics, control socket and CLI tests. */
public final class Snapshots {

    /** When the sample snapshot was taken: 2023-11-14T22:13:20Z. */
    public static final long NOW = 1_700_000_000_000L;

    private Snapshots() {
    }

    /**
     * dns up for 5m12s (both prefixes announced), ntp degraded (its prefix announced with the
     * degraded attributes), web down; BIRD applied 3 s ago, and exports the IPv4 prefixes to its
     * two sessions and the IPv6 one to none.
     */
    public static StatusSnapshot sample() {
        return new StatusSnapshot("0.1.0", NOW, "/etc/rhid/rhid.yaml",
                List.of(
                        new StatusSnapshot.Service("dns", "up", NOW - 312_000, "all 2 checks pass", "all",
                                List.of("198.51.100.53/32", "2001:db8::53/128"),
                                List.of(check("dns", "dns", "127.0.0.1:53 health.example. A", true, "pass", "", 1.25),
                                        check("tcp", "tcp", "127.0.0.1:53", true, "pass", "", 0.31))),
                        new StatusSnapshot.Service("ntp", "degraded", NOW - 7_380_000,
                                "1 of 2 checks failing: checks[1] exec /usr/local/bin/check-ntp: exit 1 (2/2 failures)", "any",
                                List.of("198.51.100.123/32"),
                                List.of(check("tcp", "tcp", "127.0.0.1:123", true, "pass", "", 0.2),
                                        check("exec", "exec", "/usr/local/bin/check-ntp", false, "fail", "exit 1", 4.5))),
                        new StatusSnapshot.Service("web", "down", NOW - 12_000,
                                "checks[0] http http://127.0.0.1:8080/healthz: status 503 (2/2 failures)", "all",
                                List.of("203.0.113.80/32"),
                                List.of(check("http", "http", "http://127.0.0.1:8080/healthz", false, "fail", "status 503", 3.0)))),
                List.of(
                        new StatusSnapshot.Announced("198.51.100.123/32", "degraded", List.of("ntp"), List.of("65000:100"),
                                List.of(), 500L, 2, 2),
                        new StatusSnapshot.Announced("198.51.100.53/32", "up", List.of("dns"), List.of("65000:100"),
                                List.of("65000:1:100"), 100L, 0, 2),
                        new StatusSnapshot.Announced("2001:db8::53/128", "up", List.of("dns"), List.of("65000:100"),
                                List.of("65000:1:100"), 100L, 0, 0)),
                new StatusSnapshot.Router("bird", "ok", NOW - 3_000, 12.3, null, 0, 0),
                new StatusSnapshot.Exports(NOW - 1_000, 4.2, List.of("upstream4", "upstream6"),
                        java.util.Map.of("198.51.100.123/32", 2, "198.51.100.53/32", 2, "2001:db8::53/128", 0,
                                "203.0.113.80/32", 0), null));
    }

    private static StatusSnapshot.Check check(String name, String type, String target, boolean up, String result,
                                              String reason, double latencyMs) {
        return new StatusSnapshot.Check(name, type, target, up, result, reason, latencyMs, NOW - 1_000,
                up ? 5 : 0, up ? 0 : 3, "2s", "200ms", "1s", 2, 2);
    }

    /** What a loop would have recorded for {@link #sample()}, plus a label value that needs escaping. */
    public static Metrics sampleMetrics() {
        Metrics m = new Metrics();
        m.record(Metric.CHECK_DURATION, 0.00125, "dns", "dns");
        m.record(Metric.CHECK_DURATION, 0.0003, "dns", "tcp");
        m.record(Metric.CHECK_DURATION, 0.0002, "dns", "tcp");
        m.record(Metric.CHECK_DURATION, 0.003, "web", "http");
        m.increment(Metric.CHECK_FAILURES, "web", "http", "status");
        m.increment(Metric.CHECK_FAILURES, "web", "http", "status");
        m.increment(Metric.CHECK_FAILURES, "ntp", "exec", "exit");
        m.increment(Metric.TRANSITIONS, "dns", "down", "up");
        m.increment(Metric.TRANSITIONS, "web", "up", "down");
        m.increment(Metric.TRANSITIONS, "ntp", "up", "degraded");
        m.increment(Metric.ROUTER_APPLIES, "bird", "ok");
        m.increment(Metric.ROUTER_APPLIES, "bird", "ok");
        m.record(Metric.ROUTER_APPLY_DURATION, 0.0123, "bird");
        m.record(Metric.ROUTER_APPLY_DURATION, 0.5, "bird");
        m.increment(Metric.DRIFT_REPAIRS, "route_missing");
        m.increment(Metric.DRIFT_REPAIRS, "odd \"kind\" \\ with\nnewline");
        return m;
    }
}
