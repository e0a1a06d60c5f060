package io.rhid.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * rhid_prefix_exported as a running rhid reports it, checked against the lab router's RIB: the
 * truth about which prefixes a peer really got. Stateless helpers for BirdIT and FrrIT.
 */
final class ExportedGauge {

    private static final Pattern EXPORTED = Pattern.compile("(?m)^rhid_prefix_exported\\{prefix=\"([^\"]+)\"} (\\S+)$");
    /** rhid asks the daemon after every apply, 2 s later, and every reconcile_interval (1 s in the tests). */
    private static final Duration SETTLE = Duration.ofSeconds(20);

    private ExportedGauge() {
    }

    /** rhid_prefix_exported per prefix from rhid's /metrics on 127.0.0.1:9790 in the host namespace. */
    static Map<String, Integer> read(NetnsLab lab) {
        NetnsLab.CommandResult r = lab.runInHost(Duration.ofSeconds(10), "python3", "-c",
                "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9790/metrics').read().decode())");
        assertThat(r.exitCode()).as("GET /metrics: " + r.output()).isZero();
        Map<String, Integer> out = new TreeMap<>();
        Matcher m = EXPORTED.matcher(r.output());
        while (m.find()) {
            out.put(m.group(1), (int) Double.parseDouble(m.group(2)));
        }
        return out;
    }

    /**
     * Waits (bounded) until the gauge shows {@code expected} for those prefixes, then checks it
     * against the router's RIB: a prefix is exported to at least one session exactly when the
     * router has a route for it.
     */
    static void assertMatchesTheRoutersRib(NetnsLab lab, RhidProcess rhid, Map<String, Integer> expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Map<String, Integer> gauge = read(lab);
        while (!gauge.entrySet().containsAll(expected.entrySet()) && System.nanoTime() < deadline) {
            Thread.sleep(100); // polling a condition, bounded by the deadline
            gauge = read(lab);
        }
        assertThat(gauge).as("rhid_prefix_exported\nrhid log:\n" + rhid.log() + lab.diagnostics())
                .containsAllEntriesOf(expected);
        for (String prefix : expected.keySet()) {
            assertThat(lab.routerRouteDetails(prefix).isPresent()).as("router's RIB has " + prefix + ", gauge " + gauge)
                    .isEqualTo(gauge.get(prefix) >= 1);
        }
    }

    /** {@code rhid status} against the lab's rhid. */
    static NetnsLab.CommandResult status(NetnsLab lab) {
        return lab.runInHost(Duration.ofSeconds(30), List.of(RhidProcess.launcher().toString(), "status", "--socket",
                lab.workDir().resolve("control.sock").toString()).toArray(String[]::new));
    }
}
