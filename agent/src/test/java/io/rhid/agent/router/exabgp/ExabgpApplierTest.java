package io.rhid.agent.router.exabgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rhid.agent.config.Attributes;
import io.rhid.agent.config.Community;
import io.rhid.agent.config.LargeCommunity;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.health.ServiceState;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.router.AppliedRecord;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.testing.Configs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ExabgpApplierTest {

    static final Prefix A = Prefix.of("198.51.100.53/32");
    static final Prefix B = Prefix.of("198.51.100.54/32");
    static final Prefix V6 = Prefix.of("2001:db8::53/128");
    static final Prefix OLD = Prefix.of("203.0.113.9/32");
    static final Attributes UP = new Attributes(List.of(new Community(65000, 100)),
            List.of(new LargeCommunity(65000, 1, 2)), OptionalLong.of(100), 2);
    static final Attributes DRAINING = new Attributes(List.of(Community.GRACEFUL_SHUTDOWN), List.of(), OptionalLong.empty(), 0);

    @TempDir
    Path dir;

    FakeExabgp exabgp = new FakeExabgp();

    @AfterEach
    void close() throws Exception {
        exabgp.close();
    }

    ExabgpApplier applier() {
        return new ExabgpApplier(() -> exabgp.pipe, OptionalLong.of(65000), new TreeSet<>(List.of(A, B, V6)),
                dir.resolve("state"), Duration.ofSeconds(10));
    }

    static DesiredState desired(Attributes attributes, Prefix... prefixes) {
        TreeMap<Prefix, Announcement> map = new TreeMap<>();
        for (Prefix p : prefixes) {
            map.put(p, new Announcement(p, ServiceState.UP, attributes, List.of("dns")));
        }
        return new DesiredState(new TreeSet<>(List.of(prefixes)), map);
    }

    @Test
    void renders_every_attribute_and_prepends_the_local_asn_to_a_path_exabgp_sends_as_written() {
        Announcement a = new Announcement(A, ServiceState.UP, UP, List.of("dns"));
        assertThat(ExabgpRenderer.announce(a, OptionalLong.of(65000))).isEqualTo("announce route 198.51.100.53/32 next-hop "
                + "self med 100 community [65000:100] large-community [65000:1:2] as-path [65000 65000 65000]");
        Announcement plain = new Announcement(V6, ServiceState.UP, Attributes.NONE, List.of("dns"));
        assertThat(ExabgpRenderer.announce(plain, OptionalLong.empty())).isEqualTo("announce route 2001:db8::53/128 next-hop self");
    }

    @Test
    void render_prints_the_withdrawals_of_unwanted_configured_prefixes_then_the_announcements() {
        assertThat(applier().render(desired(Attributes.NONE, A))).isEqualTo("""
                withdraw route 198.51.100.54/32
                withdraw route 2001:db8::53/128
                announce route 198.51.100.53/32 next-hop self
                """);
        assertThat(exabgp.commands).isEmpty();
    }

    /** The record an earlier rhid wrote after announcing {@code announced} through {@code daemon}. */
    void recordLastRun(String daemon, Prefix... announced) throws Exception {
        RhidConfig config = Configs.parse("router: { daemon: " + daemon + " }\n");
        AppliedRecord.of(config, List.of(announced), "", List.of(), Instant.EPOCH).write(dir.resolve("state"));
    }

    @Test
    void the_first_apply_withdraws_everything_an_earlier_rhid_may_have_left_including_recorded_prefixes() throws Exception {
        recordLastRun("exabgp", OLD, A);
        ExabgpApplier applier = applier();

        applier.apply(DesiredState.EMPTY);

        assertThat(exabgp.commands).containsExactly("withdraw route 198.51.100.53/32", "withdraw route 198.51.100.54/32",
                "withdraw route 203.0.113.9/32", "withdraw route 2001:db8::53/128", "show adj-rib out extensive");
        assertThat(Files.list(dir.resolve("state")).map(p -> p.getFileName().toString())).containsExactly(AppliedRecord.FILE);
    }

    @Test
    void a_record_of_another_daemon_adds_nothing_to_withdraw() throws Exception {
        recordLastRun("bird", OLD);

        applier().apply(DesiredState.EMPTY);

        assertThat(exabgp.commands).containsExactly("withdraw route 198.51.100.53/32", "withdraw route 198.51.100.54/32",
                "withdraw route 2001:db8::53/128", "show adj-rib out extensive");
    }

    @Test
    void an_unreadable_record_still_withdraws_the_configured_prefixes() throws Exception {
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(AppliedRecord.file(dir.resolve("state")), "{ not json");

        applier().apply(DesiredState.EMPTY);

        assertThat(exabgp.commands).containsExactly("withdraw route 198.51.100.53/32", "withdraw route 198.51.100.54/32",
                "withdraw route 2001:db8::53/128", "show adj-rib out extensive");
    }

    @Test
    void later_applies_send_only_what_changed_and_verify_the_attributes_exabgp_holds() throws Exception {
        ExabgpApplier applier = applier();
        applier.apply(DesiredState.EMPTY);
        exabgp.commands.clear();

        applier.apply(desired(UP, A, V6));
        assertThat(exabgp.commands).containsExactly(
                "announce route 198.51.100.53/32 next-hop self med 100 community [65000:100] large-community [65000:1:2] "
                        + "as-path [65000 65000 65000]",
                "announce route 2001:db8::53/128 next-hop self med 100 community [65000:100] large-community [65000:1:2] "
                        + "as-path [65000 65000 65000]",
                "show adj-rib out extensive");
        assertThat(dir.resolve("state")).doesNotExist(); // what was announced is the control loop's record to keep
        exabgp.commands.clear();

        applier.apply(desired(DRAINING, A));
        assertThat(exabgp.commands).containsExactly("withdraw route 2001:db8::53/128",
                "announce route 198.51.100.53/32 next-hop self community [65535:0]", "show adj-rib out extensive");
        assertThat(exabgp.rib()).containsOnlyKeys("198.51.100.53/32");
        assertThat(applier.drift(desired(DRAINING, A))).isEmpty();
    }

    @Test
    void an_error_answer_fails_the_apply_and_the_retry_sends_everything_again() throws Exception {
        ExabgpApplier applier = applier();
        applier.apply(DesiredState.EMPTY);
        exabgp.refuse.add("198.51.100.54/32");

        assertThatThrownBy(() -> applier.apply(desired(Attributes.NONE, A, B)))
                .isInstanceOf(ApplyException.class)
                .hasMessage("ExaBGP answered error to 1 of 2 commands (is the process listed in a neighbor's api "
                        + "{ processes [...]; }? see ExaBGP's log)");

        exabgp.refuse.clear();
        exabgp.commands.clear();
        applier.apply(desired(Attributes.NONE, A, B));
        assertThat(exabgp.commands).containsExactly("withdraw route 2001:db8::53/128",
                "announce route 198.51.100.53/32 next-hop self", "announce route 198.51.100.54/32 next-hop self",
                "show adj-rib out extensive");
    }

    @Test
    void a_route_removed_behind_rhids_back_is_drift_and_the_repair_resends_it() throws Exception {
        ExabgpApplier applier = applier();
        applier.apply(desired(UP, A));
        exabgp.removeByHand("198.51.100.53/32");

        assertThat(applier.drift(desired(UP, A))).singleElement()
                .satisfies(d -> assertThat(d.detail()).isEqualTo("198.51.100.53/32 is missing"));
        exabgp.commands.clear();
        applier.apply(desired(UP, A));
        assertThat(exabgp.commands).contains("announce route 198.51.100.53/32 next-hop self med 100 community [65000:100] "
                + "large-community [65000:1:2] as-path [65000 65000 65000]");
        assertThat(exabgp.rib()).containsKey("198.51.100.53/32");
    }

    @Test
    void once_exabgp_shuts_down_withdrawing_succeeds_without_it_and_announcing_fails() throws Exception {
        ExabgpApplier applier = applier();
        applier.apply(desired(UP, A));
        CompletableFuture<String> closed = new CompletableFuture<>();
        exabgp.pipe.onClosed(closed::complete);

        exabgp.shutdown();

        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo("ExaBGP is shutting down (\"shutdown 100 1\")");
        exabgp.commands.clear();
        applier.apply(DesiredState.EMPTY);
        assertThatThrownBy(() -> applier.apply(desired(UP, A))).hasMessage("ExaBGP is shutting down (\"shutdown 100 1\")");
        assertThat(exabgp.commands).isEmpty();
    }

    @Test
    void the_json_encoders_shutdown_notification_is_noticed_too() throws Exception {
        CompletableFuture<String> closed = new CompletableFuture<>();
        exabgp.pipe.onClosed(closed::complete);
        exabgp.shutdownJson();
        assertThat(closed.get(10, TimeUnit.SECONDS)).startsWith("ExaBGP is shutting down (\"{ \"exabgp\": \"4.0.1\"");
    }

    @Test
    void end_of_stdin_means_exabgp_is_gone() throws Exception {
        CompletableFuture<String> closed = new CompletableFuture<>();
        exabgp.pipe.onClosed(closed::complete);
        exabgp.close();
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo("ExaBGP closed rhid's stdin (it stopped or died)");
    }

    @Test
    void withdraw_all_in_exabgps_own_child_withdraws_every_managed_prefix_through_the_pipe() throws Exception {
        ExabgpApplier applier = applier();
        applier.apply(desired(UP, A));
        exabgp.commands.clear();

        assertThat(applier.withdrawAll()).isEqualTo("withdrew every prefix rhid manages through ExaBGP's API pipe");
        assertThat(exabgp.commands).containsExactly("withdraw route 198.51.100.53/32", "withdraw route 198.51.100.54/32",
                "withdraw route 2001:db8::53/128", "show adj-rib out extensive");
        assertThat(exabgp.rib()).isEmpty();
    }

    @Test
    void withdraw_all_explains_that_only_exabgps_own_child_can_withdraw() {
        ExabgpApplier withoutPipe = new ExabgpApplier(null, OptionalLong.empty(), new TreeSet<>(List.of(A, B, V6)), null,
                Duration.ofSeconds(10));
        assertThat(withoutPipe.withdrawAllRetries()).isFalse();
        assertThat(applier().withdrawAllRetries()).isTrue();
        assertThatThrownBy(withoutPipe::withdrawAll)
                .isInstanceOf(ApplyException.class)
                .hasMessageStartingWith("router.daemon is exabgp: rhid announces only through the API pipe of the ExaBGP "
                        + "that started it")
                .hasMessageEndingWith("by hand: exabgpcli withdraw route PREFIX, for 198.51.100.53/32 198.51.100.54/32 "
                        + "2001:db8::53/128");
    }

    @Test
    void parses_exabgp_42_adj_rib_out_lines_into_rhids_spelling() {
        var rib = AdjRibOut.parse(List.of(
                "neighbor 127.0.0.2 local-ip 127.0.0.1 local-as 65000 peer-as 65001 router-id 10.255.0.1 family-allowed "
                        + "in-open ipv4 unicast 198.51.100.53/32 next-hop self as-path [ 65000 65000 65000 ] med 100 "
                        + "community [ 65000:100 65535:0 ] large-community 65000:1:2",
                "neighbor 127.0.0.2 local-ip 127.0.0.1 local-as 65000 peer-as 65001 router-id 10.255.0.1 family-allowed "
                        + "in-open ipv6 unicast 2001:db8::53/128 next-hop self",
                "neighbor 127.0.0.2 up"));
        assertThat(rib).containsOnlyKeys(A, V6);
        assertThat(rib.get(A)).containsExactly(
                "med 100 community [65000:100 65535:0] large-community [65000:1:2] as-path [65000 65000 65000]");
        assertThat(rib.get(V6)).containsExactly("");
    }
}
