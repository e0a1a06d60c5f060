package io.rhid.agent.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.testing.Configs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state dir's record of the last apply: what withdraw-all reads back must be what was in force. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AppliedRecordTest {

    @TempDir
    Path dir;

    @Test
    void reads_back_the_bird_settings_addresses_and_announcements_it_wrote() throws IOException {
        RhidConfig config = Configs.parse("""
                router:
                  bird: { include_file: /etc/bird/x.conf, socket: /run/b.ctl, protocol_v4: a4, protocol_v6: a6 }
                  command_timeout: 3s
                addresses: { interface: lo, remove_when_down: true }
                control: { socket: /run/x/c.sock }
                services:
                  web:
                    prefixes: [203.0.113.80]
                    checks: [{ type: tcp, address: "127.0.0.1:80" }]
                """);
        AppliedRecord written = AppliedRecord.of(config, List.of(Prefix.of("203.0.113.80/32")), "", List.of("203.0.113.80/32"),
                Instant.parse("2026-01-02T03:04:05Z"));
        written.write(dir);
        AppliedRecord read = AppliedRecord.read(dir).orElseThrow();
        assertThat(read).isEqualTo(written);
        assertThat(read.router().bird()).isEqualTo(config.router().bird());
        assertThat(read.router().commandTimeout()).isEqualTo(config.router().commandTimeout());
        assertThat(read.router().frr()).isEqualTo(config.router().frr());
        assertThat(read.addresses()).isEqualTo(config.addresses());
        assertThat(Files.readString(dir.resolve("applied.json"))).contains("\"include_file\" : \"/etc/bird/x.conf\"");
    }

    @Test
    void keeps_frr_network_lines_and_ignores_the_time_when_comparing() {
        RhidConfig config = Configs.parse("""
                router: { daemon: frr, frr: { asn: 65000, vrf: blue, vtysh_args: [--vty_socket, /run/frr/ns] } }
                services:
                  web:
                    prefixes: [203.0.113.80]
                    checks: [{ type: tcp, address: "127.0.0.1:80" }]
                """);
        String rendered = "router bgp 65000 vrf blue\n address-family ipv4 unicast\n  network 203.0.113.80/32 route-map rhid-web-up\n";
        AppliedRecord a = AppliedRecord.of(config, List.of(), rendered, List.of(), Instant.EPOCH);
        AppliedRecord b = AppliedRecord.of(config, List.of(), rendered, List.of(), Instant.now());
        assertThat(a.networkLines()).containsExactly("network 203.0.113.80/32 route-map rhid-web-up");
        assertThat(a.sameAs(b)).isTrue();
        assertThat(a.sameAs(AppliedRecord.of(config, List.of(Prefix.of("203.0.113.80/32")), rendered, List.of(), Instant.EPOCH)))
                .isFalse();
    }

    @Test
    void is_empty_when_absent_and_names_the_file_when_unreadable() throws IOException {
        assertThat(AppliedRecord.read(dir)).isEmpty();
        Files.writeString(dir.resolve("applied.json"), "{ \"daemon\": ");
        assertThatThrownBy(() -> AppliedRecord.read(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("applied.json") + " is not a record rhid wrote");
    }
}
