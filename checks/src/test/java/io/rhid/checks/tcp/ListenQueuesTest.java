package io.rhid.checks.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Parsing the kernel's TCP tables, with lines as a little-endian Linux prints them. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ListenQueuesTest {

    static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the sample tables are a little-endian host's");
    }

    static InetSocketAddress at(String ip, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    static ListenQueues.Scan scan(String table, InetSocketAddress server, InetSocketAddress client) throws IOException {
        return ListenQueues.scan(new BufferedReader(new StringReader(HEADER + table)), server, client);
    }

    @Test
    void decodes_addresses_in_host_byte_order_and_v4_mapped_ones_as_ipv4() throws IOException {
        assertThat(ListenQueues.address("0100007F:1F90")).isEqualTo(at("127.0.0.1", 8080));
        assertThat(ListenQueues.address("0000000000000000FFFF00000100007F:0035")).isEqualTo(at("127.0.0.1", 53));
        assertThat(ListenQueues.address("00000000000000000000000001000000:0050")).isEqualTo(at("::1", 80));
        assertThat(ListenQueues.address("B80D0120000000000000000001000000:01BB")).isEqualTo(at("2001:db8::1", 443));
    }

    @Test
    void finds_a_connection_still_in_the_accept_queue_and_the_queue_length() throws IOException {
        String table = """
                   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0
                   1: 0100007F:1F90 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0 20 4 30 10 -1
                   2: 0100007F:A000 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 5151 1 0 20 4 30 10 -1
                   3: 0100007F:1F90 0100007F:A001 08 00000000:00000000 00:00000000 00000000     0        0 0 1 0 20 4 30 10 -1
                """;
        assertThat(scan(table, at("127.0.0.1", 8080), at("127.0.0.1", 0xA000)))
                .isEqualTo(new ListenQueues.Scan(true, 2, true));
        assertThat(scan(table, at("127.0.0.1", 8080), at("127.0.0.1", 0xA001)))
                .as("a client that hung up leaves its connection in CLOSE_WAIT, still queued")
                .isEqualTo(new ListenQueues.Scan(true, 2, true));
    }

    @Test
    void an_accepted_connection_has_an_inode_and_is_not_queued() throws IOException {
        String table = """
                   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0
                   1: 0100007F:1F90 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 777 1 0 20 4 30 10 -1
                   2: 0100007F:1F90 0100007F:A001 09 00000000:00000000 00:00000000 00000000     0        0 0 1 0 20 4 30 10 -1
                """;
        assertThat(scan(table, at("127.0.0.1", 8080), at("127.0.0.1", 0xA000)))
                .as("the wildcard listener counts").isEqualTo(new ListenQueues.Scan(true, 0, false));
        assertThat(scan(table, at("127.0.0.1", 8080), at("127.0.0.1", 0xA001)))
                .as("LAST_ACK: accepted and closed by the server").isEqualTo(new ListenQueues.Scan(true, 0, false));
    }

    @Test
    void ignores_listeners_of_other_ports_and_addresses() throws IOException {
        String table = """
                   0: 0100007F:1F91 00000000:0000 0A 00000000:00000005 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0
                   1: 0200007F:1F90 00000000:0000 0A 00000000:00000005 00:00000000 00000000     0        0 4243 1 0 100 0 0 10 0
                """;
        assertThat(scan(table, at("127.0.0.1", 8080), at("127.0.0.1", 0xA000))).isEqualTo(ListenQueues.Scan.NOTHING);
    }
}
