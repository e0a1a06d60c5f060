package io.rhid.agent.router.frr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FrrConfigFileTest {

    static final String BLOCK = "! rhid begin\nroute-map rhid-web-up permit 10\nexit\n! rhid end\n";

    @Test
    void appends_the_block_to_a_file_without_one() {
        assertThat(FrrConfigFile.withBlock("router bgp 65000\nexit\n!\n", BLOCK)).isEqualTo("router bgp 65000\nexit\n!\n" + BLOCK);
        assertThat(FrrConfigFile.withBlock("router bgp 65000\nexit", BLOCK)).isEqualTo("router bgp 65000\nexit\n" + BLOCK);
        assertThat(FrrConfigFile.withBlock("", BLOCK)).isEqualTo(BLOCK);
    }

    @Test
    void inserts_the_block_before_a_final_end_after_which_vtysh_reads_nothing() {
        assertThat(FrrConfigFile.withBlock("hostname a\n!\nend\n\n", BLOCK)).isEqualTo("hostname a\n!\n" + BLOCK + "end\n\n");
    }

    @Test
    void replaces_the_block_and_keeps_every_byte_around_it() {
        String file = "hostname a \r\n! rhid begin\nold\n! rhid end   \n  ! trailing\nend";
        assertThat(FrrConfigFile.withBlock(file, BLOCK)).isEqualTo("hostname a \r\n" + BLOCK + "  ! trailing\nend");
        assertThat(FrrConfigFile.block(file)).contains("! rhid begin\nold\n! rhid end   \n");
        assertThat(FrrConfigFile.withBlock("x\n! rhid begin\n! rhid end", BLOCK)).isEqualTo("x\n" + BLOCK.stripTrailing());
    }

    @Test
    void refuses_markers_it_cannot_pair() {
        assertThatThrownBy(() -> FrrConfigFile.withBlock("! rhid end\n! rhid begin\n", BLOCK))
                .hasMessage("has 1 \"! rhid begin\" line and 1 \"! rhid end\" line (lines 1, 2); rhid needs exactly one of "
                        + "each, begin first, or neither (then it appends its block)");
        assertThatThrownBy(() -> FrrConfigFile.markers("! rhid begin\n! rhid begin\n! rhid end\n"))
                .hasMessageStartingWith("has 2 \"! rhid begin\" lines and 1 \"! rhid end\" line (lines 1, 2, 3)");
    }

    @Test
    void finds_rhid_lines_outside_the_block() {
        String file = "router bgp 65000\n address-family ipv4 unicast\n  network 198.51.100.1/32 route-map rhid-a-up\n"
                + "  network 192.0.2.0/24 route-map operator-x\n exit-address-family\nexit\n" + BLOCK + "route-map rhid-a-up permit 10\n";
        assertThat(FrrConfigFile.strayLines(file)).containsExactly("line 3: network 198.51.100.1/32 route-map rhid-a-up",
                "line 11: route-map rhid-a-up permit 10");
    }
}
