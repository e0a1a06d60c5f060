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
}
