package io.rhid.agent.router.frr;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.plan.DesiredState;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The delta from bgpd's running config to a desired state, and route-map entry edits. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FrrDiffTest {

    @Test
    void withdraws_everything_of_rhids_in_every_instance_for_an_empty_state() {
        FrrRunningConfig c = FrrRunningConfig.parse(FrrRunningConfigTest.RUNNING);

        var delta = FrrDiff.delta(c, DesiredState.EMPTY, new BgpInstance(65000, ""));

        assertThat(delta.withdraw()).hasSize(2);
        assertThat(delta.withdrawCount()).isEqualTo(3);
        assertThat(delta.deleteRouteMaps()).containsExactly("rhid-dns+ntp-degraded", "rhid-dns-degraded");
        assertThat(delta.announce()).isEmpty();
        assertThat(FrrDiff.differences(c, delta)).isEqualTo("2 network lines rhid does not want in router bgp 65000 "
                + "(198.51.100.53/32, 2001:db8::53/128); 1 network line rhid does not want in router bgp 65001 vrf blue "
                + "(198.51.100.1/32); route-maps rhid no longer uses: rhid-dns+ntp-degraded, rhid-dns-degraded");
    }

    @Test
    void compares_set_lines_by_meaning_whatever_frrs_spelling_of_communities() {
        List<String> want = List.of("set community 65000:100 graceful-shutdown additive", "set large-community 1:2:3 additive",
                "set metric 5");

        assertThat(FrrDiff.editLines(List.of("set community graceful-shutdown 65000:100 65000:100 additive",
                "set large-community 1:2:3 1:2:3 additive", "set metric 5"), want)).isEmpty();
        assertThat(FrrDiff.editLines(List.of("set community 65000:100 65535:0 additive", "set metric 5",
                "set large-community 1:2:3 additive"), want)).isEmpty();
    }

    @Test
    void edits_only_what_differs_and_removes_what_rhid_does_not_set() {
        List<String> want = List.of("set as-path prepend 65000", "set metric 5");

        assertThat(FrrDiff.editLines(List.of("set metric 5", "set community 1:1 additive",
                "match ip address prefix-list foo", "description by hand", "set as-path prepend 65000 65000"), want))
                .containsExactly("no set community", "no match ip address prefix-list foo", "no description",
                        "set as-path prepend 65000");
        assertThat(FrrDiff.editLines(List.of("set community 1:1"), List.of("set community 1:1 additive")))
                .containsExactly("set community 1:1 additive");
    }
}
