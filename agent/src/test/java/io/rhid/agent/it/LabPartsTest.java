package io.rhid.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The lab's pure parts, without root or namespaces. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LabPartsTest {

    @Test
    void finds_the_status_address_in_flow_and_block_style_or_falls_back_to_rhids_default() {
        assertThat(RhidProcess.statusAddress("router:\n  bird: {}\nstatus: { listen: \"127.0.0.1:9793\" }\nservices: {}\n"))
                .isEqualTo("127.0.0.1:9793");
        assertThat(RhidProcess.statusAddress("status:\n  listen: 127.0.0.1:9791\ncontrol: { socket: /x }\n"))
                .isEqualTo("127.0.0.1:9791");
        assertThat(RhidProcess.statusAddress("status:\n  other: 1\n  listen: \"[::1]:9790\"\n")).isEqualTo("[::1]:9790");
        assertThat(RhidProcess.statusAddress("router:\n  bird: { include_file: /x }\nservices:\n  web: {}\n"))
                .isEqualTo("127.0.0.1:9790");
        assertThat(RhidProcess.statusAddress("control:\n  socket: /x\nservices:\n  listen: {}\n"))
                .as("a listen key outside status: is not the status server's").isEqualTo("127.0.0.1:9790");
    }

    @Test
    void keeps_the_last_lines_and_says_how_many_were_left_out() {
        assertThat(NetnsLab.lastLines("a\nb\nc\n", 5)).isEqualTo("a\nb\nc");
        assertThat(NetnsLab.lastLines("a\nb\nc\nd", 2)).isEqualTo("(2 earlier lines left out)\nc\nd");
    }

    @Test
    void normalizes_kernel_destinations_to_prefixes() {
        assertThat(RouterView.normalizePrefix("198.51.100.53", false)).isEqualTo("198.51.100.53/32");
        assertThat(RouterView.normalizePrefix("2001:DB8::53", true)).isEqualTo("2001:db8::53/128");
        assertThat(RouterView.normalizePrefix("203.0.113.0/24", false)).isEqualTo("203.0.113.0/24");
        assertThat(RouterView.normalizePrefix("default", true)).isEqualTo("::/0");
    }

    @Test
    void names_namespaces_with_this_runs_marker_which_stale_cleanup_matches() {
        String name = LabNamespaces.name('h', 7);
        var m = LabNamespaces.LAB_NETNS.matcher(name);
        assertThat(m.matches()).isTrue();
        assertThat(m.group(1)).isEqualTo(LabNamespaces.RUN_TOKEN);
        assertThat(LabNamespaces.LAB_NETNS.matcher("rhid25565h999").matches())
                .as("the old pid-based names never match, so cleanup never touches them").isFalse();
    }
}
