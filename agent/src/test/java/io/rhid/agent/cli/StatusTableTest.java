package io.rhid.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.status.StatusSnapshot;
import io.rhid.agent.testing.Snapshots;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code rhid status} table's pieces that the sample snapshot does not show. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StatusTableTest {

    static final long NOW = Snapshots.NOW;

    @ParameterizedTest
    @CsvSource({"0,0ms", "850,850ms", "42000,42s", "312000,5m12s", "3600000,1h0m", "11220000,3h7m", "187200000,2d4h"})
    void spans_are_short_and_rounded_down(long millis, String text) {
        assertThat(StatusTable.span(millis)).isEqualTo(text);
    }

    @Test
    void milliseconds_print_as_string_format_prints_them() {
        java.util.List<Double> values = new java.util.ArrayList<>(List.of(0.0, -0.0, 0.05, 0.04999, 1.45, 1.25, 2.675, 12.3,
                12.35, 99.95, 999.95, 1e-7, -0.04, -1.45, 123456.75, 1e7, 1.0e21, 4.9e-324, Double.MAX_VALUE));
        java.util.Random random = new java.util.Random(15);
        for (int i = 0; i < 20_000; i++) {
            values.add(random.nextDouble() * Math.pow(10, random.nextInt(8)));
            values.add(Math.round(random.nextDouble() * 100_000) / 1000.0 + 0.05);
        }
        for (double v : values) {
            assertThat(StatusTable.ms(v)).as("%s", v).isEqualTo(String.format(java.util.Locale.ROOT, "%.1fms", v));
        }
    }

    @Test
    void never_is_a_dash() {
        assertThat(StatusTable.ago(0, NOW)).isEqualTo("-");
    }

    @Test
    void a_failed_apply_shows_the_error_and_the_next_retry() {
        StatusSnapshot.Router r = new StatusSnapshot.Router("bird", "error", NOW - 2_000, 40.1,
                "birdc configure: syntax error at line 3", NOW + 1_000, 2);
        assertThat(StatusTable.router(r, 0, NOW)).isEqualTo("router: bird, last apply FAILED 2s ago in 40.1ms: "
                + "birdc configure: syntax error at line 3; retry in 1s, 0 prefixes announced, 2 drift repairs");
    }

    @Test
    void before_the_first_apply_the_router_is_pending() {
        StatusSnapshot.Router r = new StatusSnapshot.Router("frr", "pending", 0, 0, null, 0, 0);
        assertThat(StatusTable.router(r, 1, NOW)).isEqualTo("router: frr, no apply yet, 1 prefix announced");
    }

    @Test
    void many_announced_prefixes_are_abbreviated() {
        List<String> prefixes = List.of("203.0.113.1/32", "203.0.113.2/32", "203.0.113.3/32", "203.0.113.4/32",
                "203.0.113.5/32");
        StatusSnapshot s = new StatusSnapshot("0.1.0", NOW, "/etc/rhid/rhid.yaml",
                List.of(new StatusSnapshot.Service("web", "up", NOW - 1_000, "check passes", "all", prefixes, List.of())),
                prefixes.stream().map(p -> new StatusSnapshot.Announced(p, "up", List.of("web"), List.of(), List.of(), null, 0))
                        .toList(),
                new StatusSnapshot.Router("bird", "ok", NOW, 1, null, 0, 0));
        assertThat(StatusTable.render(s).lines().skip(1).findFirst().orElseThrow())
                .isEqualTo("web      up     1s ago  0/0     203.0.113.1/32, 203.0.113.2/32, 203.0.113.3/32 and 2 more");
    }

    @Test
    void shows_how_many_sessions_export_each_announced_prefix_and_names_those_exported_nowhere() {
        StatusSnapshot s = Snapshots.sample();
        List<StatusSnapshot.Announced> announced = s.announced().stream().map(a -> new StatusSnapshot.Announced(a.prefix(),
                a.state(), a.services(), a.communities(), a.largeCommunities(), a.med(), a.prepend(),
                a.prefix().contains(":") ? 0 : 2)).toList();
        StatusSnapshot withExports = new StatusSnapshot(s.version(), s.generatedAtMillis(), s.config(), s.services(),
                announced, s.router(), new StatusSnapshot.Exports(NOW - 1_000, 2.5, List.of("upstream4", "upstream6"),
                java.util.Map.of("198.51.100.53/32", 2, "2001:db8::53/128", 0, "198.51.100.123/32", 2, "203.0.113.80/32", 0),
                null));
        assertThat(StatusTable.render(withExports)).isEqualTo("""
                SERVICE  STATE     SINCE      CHECKS  ANNOUNCED (EXPORTED TO)
                dns      up        5m12s ago  2/2     198.51.100.53/32 (2), 2001:db8::53/128 (0)
                ntp      degraded  2h3m ago   1/2     198.51.100.123/32 (2)
                web      down      12s ago    0/1     -

                ntp: 1 of 2 checks failing: checks[1] exec /usr/local/bin/check-ntp: exit 1 (2/2 failures)
                web: checks[0] http http://127.0.0.1:8080/healthz: status 503 (2/2 failures)

                2001:db8::53/128: announced, exported to no established session

                router: bird, last apply ok 3s ago in 12.3ms, 3 prefixes announced
                exports: 2 established BGP sessions (upstream4, upstream6), asked 1s ago
                """);
    }

    @Test
    void says_when_the_daemon_could_not_be_asked_what_it_exports() {
        assertThat(StatusTable.exports(new StatusSnapshot.Exports(NOW - 2_000, 10_000, List.of(), java.util.Map.of(),
                "birdc show protocols all failed (timed out): (no reply within the time limit)"), NOW))
                .isEqualTo("exports: unknown, asking the daemon failed 2s ago: birdc show protocols all failed (timed out): "
                        + "(no reply within the time limit)");
        assertThat(StatusTable.exports(StatusSnapshot.Exports.UNKNOWN, NOW)).isEqualTo("exports: not asked yet");
    }
}
