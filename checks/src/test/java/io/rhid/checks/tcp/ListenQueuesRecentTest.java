package io.rhid.checks.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Sharing scans of the kernel's tables between the checks of one server, with a fake table. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ListenQueuesRecentTest {

    static final long MS = 1_000_000;
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 8080);
    static final InetSocketAddress OTHER_SERVER = new InetSocketAddress("127.0.0.1", 8081);
    static final InetSocketAddress QUEUED = new InetSocketAddress("127.0.0.1", 40001);
    static final InetSocketAddress ACCEPTED = new InetSocketAddress("127.0.0.1", 40002);

    final List<InetSocketAddress> reads = new ArrayList<>();
    final ListenQueues.Recent recent = new ListenQueues.Recent(server -> {
        reads.add(server);
        return Optional.of(new ListenQueues.Listener(true, 1, Set.of(QUEUED)));
    });

    @Test
    void reads_the_tables_once_for_the_checks_of_one_server_within_the_maximum_age() {
        long now = 10_000 * MS;
        long connectedLongAgo = now - 1000 * MS;

        assertThat(recent.read(SERVER, QUEUED, connectedLongAgo + 500 * MS, now).orElseThrow().unaccepted()).isTrue();
        assertThat(recent.read(SERVER, ACCEPTED, connectedLongAgo + 500 * MS, now + 10 * MS).orElseThrow().unaccepted())
                .isFalse();
        assertThat(recent.read(SERVER, QUEUED, connectedLongAgo + 500 * MS, now + 50 * MS).orElseThrow().queued())
                .isEqualTo(1);
        assertThat(reads).hasSize(1);

        recent.read(OTHER_SERVER, QUEUED, connectedLongAgo + 500 * MS, now + 50 * MS);
        assertThat(reads).as("another server has its own scans").containsExactly(SERVER, OTHER_SERVER);

        recent.read(SERVER, QUEUED, connectedLongAgo + 500 * MS, now + 51 * MS);
        assertThat(reads).as("older than 50 ms: read again").hasSize(3);
    }

    @Test
    void reads_again_for_a_probe_whose_connection_had_not_waited_its_timeout_when_the_scan_was_taken() {
        long now = 10_000 * MS;
        recent.read(SERVER, QUEUED, now - 500 * MS, now);

        // This probe connected 480 ms before the scan, with a 500 ms timeout: that scan proves nothing for it.
        recent.read(SERVER, QUEUED, now - 480 * MS + 500 * MS, now + 5 * MS);

        assertThat(reads).hasSize(2);
    }
}
