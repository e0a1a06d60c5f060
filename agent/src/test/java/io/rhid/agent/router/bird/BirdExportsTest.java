package io.rhid.agent.router.bird;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.ExportQuery;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Reading what BIRD exports from its replies. The replies in {@code bird-replies/} are BIRD
 * 2.0.12's own, recorded with one IPv4 session ({@code upstream}) carrying an {@code ipv6} channel
 * over a link without a global IPv6 address (BIRD logged "Invalid NEXT_HOP attribute - zero
 * address" for the IPv6 route and the peer never got it) and a second session ({@code backup})
 * that is not established.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BirdExportsTest {

    static final String PROTOCOLS = resource("protocols-v6-zero-next-hop.txt");
    static final String EXPORTED = resource("exported-upstream.txt");

    static final String RHID = " where proto = \"rhid4\" || proto = \"rhid6\"";

    final List<String> commands = new ArrayList<>();

    static String resource(String name) {
        try (InputStream in = BirdExportsTest.class.getResourceAsStream("/bird-replies/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    BirdExports exports(Map<String, CommandResult> replies) {
        return new BirdExports(words -> {
            String command = String.join(" ", words);
            commands.add(command);
            CommandResult r = replies.get(command);
            return r != null ? r : new CommandResult(words, 1, "syntax error", 0, false);
        }, "rhid4", "rhid6");
    }

    static CommandResult ok(String output) {
        return new CommandResult(List.of("bird-socket"), 0, output, 0, false);
    }

    @Test
    void reads_established_bgp_sessions_and_their_channels_next_hops() {
        List<BirdReplies.BgpSession> sessions = BirdReplies.bgpSessions(PROTOCOLS);
        assertThat(sessions).extracting(BirdReplies.BgpSession::name).containsExactly("upstream", "backup");
        assertThat(sessions.get(0).established()).isTrue();
        assertThat(sessions.get(0).channels()).containsExactly(new BirdReplies.Channel(false, true, false),
                new BirdReplies.Channel(true, true, true));
        assertThat(sessions.get(1).established()).isFalse();
        assertThat(sessions.get(1).channels()).containsExactly(new BirdReplies.Channel(false, false, false));
    }

    @Test
    void counts_nothing_for_a_channel_whose_next_hop_is_the_zero_address_although_bird_lists_its_routes_as_exported()
            throws Exception {
        ExportQuery.Exports e = exports(Map.of("show protocols all", ok(PROTOCOLS),
                "show route exported upstream" + RHID, ok(EXPORTED))).query();
        assertThat(e.sessions()).containsExactly("upstream");
        assertThat(e.count(Prefix.of("198.51.100.53/32"))).isEqualTo(1);
        assertThat(e.count(Prefix.of("2001:db8::53/128"))).isZero();
        assertThat(commands).as("one question per established session, none for the others")
                .containsExactly("show protocols all", "show route exported upstream" + RHID);
    }

    @Test
    void counts_an_ipv6_route_once_the_channel_has_a_next_hop() throws Exception {
        String withNextHop = PROTOCOLS.replace("BGP Next hop:   ::", "BGP Next hop:   2001:db8:ffff::10 fe80::1");
        ExportQuery.Exports e = exports(Map.of("show protocols all", ok(withNextHop),
                "show route exported upstream" + RHID, ok(EXPORTED))).query();
        assertThat(e.counts()).containsExactly(Map.entry(Prefix.of("198.51.100.53/32"), 1),
                Map.entry(Prefix.of("2001:db8::53/128"), 1));
    }

    @Test
    void adds_up_sessions_that_export_the_same_prefix() throws Exception {
        String two = PROTOCOLS.replace("BGP Next hop:   ::", "BGP Next hop:   2001:db8:ffff::10")
                + "\n" + PROTOCOLS.substring(PROTOCOLS.indexOf("upstream   BGP"), PROTOCOLS.indexOf("backup     BGP"))
                .replace("upstream", "upstream2");
        ExportQuery.Exports e = exports(Map.of("show protocols all", ok(two),
                "show route exported upstream" + RHID, ok(EXPORTED),
                "show route exported upstream2" + RHID, ok("Table master4:\n198.51.100.53/32     blackhole [rhid4 06:23:54.066] * (200)\n")))
                .query();
        assertThat(e.sessions()).containsExactly("upstream", "upstream2");
        assertThat(e.count(Prefix.of("198.51.100.53/32"))).isEqualTo(2);
        assertThat(e.count(Prefix.of("2001:db8::53/128"))).isEqualTo(1);
    }

    @Test
    void reads_birdc_output_with_its_banner_too() {
        assertThat(BirdReplies.bgpSessions("BIRD 2.0.12 ready.\n" + PROTOCOLS)).hasSize(2);
    }

    @Test
    void reports_a_failed_question_with_birds_answer() {
        BirdExports failing = exports(Map.of("show protocols all", ok(PROTOCOLS), "show route exported upstream" + RHID,
                new CommandResult(List.of("bird-socket"), -1, "(no reply within the time limit)", 0, true)));
        assertThatThrownBy(failing::query).isInstanceOf(ApplyException.class)
                .hasMessage("BIRD: show route exported upstream where proto = \"rhid4\" || proto = \"rhid6\" failed (timed out): (no reply within the time limit)");
        BirdExports down = exports(Map.of("show protocols all", new CommandResult(List.of("bird-socket"), 1,
                "Unable to connect to server control socket (/run/bird/bird.ctl): Connection refused", 0, false)));
        assertThatThrownBy(down::query).hasMessageStartingWith("BIRD: show protocols all failed (exit 1): Unable to connect");
    }
}
