package io.rhid.agent.address;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.router.Drift;
import io.rhid.agent.testing.FakeCommandRunner;
import io.rhid.agent.testing.FakeInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LoopbackApplierTest {

    @TempDir
    Path stateDir;

    final FakeInterface lo = new FakeInterface();
    final FakeCommandRunner ip = lo.runner();
    static final List<Prefix> WEB = List.of(Prefix.of("203.0.113.80"), Prefix.of("2001:db8::80"));

    LoopbackApplier applier(FakeCommandRunner runner) {
        return new LoopbackApplier(new RhidConfig.Addresses(true, "lo", true), stateDir, runner, Duration.ofSeconds(1));
    }

    @Test
    void adds_missing_addresses_in_one_batch_and_records_them_as_its_own() throws Exception {
        assertThat(applier(ip).add(WEB)).isEmpty();
        assertThat(lo.addresses()).contains("203.0.113.80/32", "2001:db8::80/128");
        assertThat(ip.calls()).hasSize(2);
        assertThat(ip.calls().get(1).stdin())
                .isEqualTo("address add 203.0.113.80/32 dev lo\naddress add 2001:db8::80/128 dev lo nodad\n");
        assertThat(Files.readAllLines(stateDir.resolve("addresses"))).contains("203.0.113.80/32", "2001:db8::80/128");
    }

    @Test
    void runs_no_command_when_every_wanted_address_is_known_to_be_there() throws Exception {
        LoopbackApplier a = applier(ip);
        a.add(WEB);
        int calls = ip.calls().size();
        assertThat(a.add(WEB)).isEmpty();
        assertThat(a.add(List.of(Prefix.of("203.0.113.80")))).isEmpty();
        assertThat(ip.calls()).hasSize(calls);
    }

    @Test
    void finds_an_address_removed_by_hand_when_checking_for_drift() throws Exception {
        LoopbackApplier a = applier(ip);
        a.add(WEB);
        lo.remove("203.0.113.80/32");
        assertThat(a.drift(WEB)).extracting(Drift::detail).containsExactly("missing from lo: 203.0.113.80/32");
        assertThat(a.add(WEB)).isEmpty();
        assertThat(lo.addresses()).contains("203.0.113.80/32");
    }

    @Test
    void removes_only_addresses_it_added_even_after_a_restart() throws Exception {
        lo.add("2001:db8::80/128"); // the operator's
        applier(ip).add(WEB);
        LoopbackApplier afterRestart = applier(lo.runner());
        afterRestart.retainOnly(List.of());
        assertThat(lo.addresses()).doesNotContain("203.0.113.80/32").contains("2001:db8::80/128");
        assertThat(Files.readAllLines(stateDir.resolve("addresses"))).doesNotContain("203.0.113.80/32");
    }

    @Test
    void reports_addresses_it_could_not_add() throws Exception {
        lo.refuse("2001:db8::80/128");
        assertThat(applier(ip).add(WEB)).containsExactly(Prefix.of("2001:db8::80"));
        assertThat(lo.addresses()).contains("203.0.113.80/32");
    }

    @Test
    void does_nothing_when_addresses_are_not_managed() throws Exception {
        LoopbackApplier off = new LoopbackApplier(new RhidConfig.Addresses(false, "lo", true), stateDir, ip, Duration.ofSeconds(1));
        assertThat(off.add(WEB)).isEmpty();
        off.retainOnly(List.of());
        assertThat(off.drift(WEB)).isEmpty();
        assertThat(ip.calls()).isEmpty();
    }
}
