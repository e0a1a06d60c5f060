package io.rhid.checks.dns;

import io.rhid.checks.internal.Endpoints;
import io.rhid.checks.spi.ProbeSpec;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.xbill.DNS.Name;

/**
 * A {@code dns} check: one query for {@code name}/{@code record} sent to {@code server}, healthy
 * when the response has the expected rcode and, for NOERROR, an answer of that type.
 *
 * @param server the server's IP address and port
 * @param name   the absolute name queried
 * @param record the record type's mnemonic, such as {@code A}
 * @param rcode  the expected rcode's mnemonic, such as {@code NOERROR}
 * @param answer rdata text one answer record must have, such as {@code 192.0.2.1}
 * @param tcp    whether to query over TCP; otherwise UDP, falling back to TCP on truncation
 */
record DnsProbeSpec(
        InetSocketAddress server,
        Name name,
        String record,
        String rcode,
        Optional<String> answer,
        boolean tcp) implements ProbeSpec {

    DnsProbeSpec {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(rcode, "rcode");
        Objects.requireNonNull(answer, "answer");
    }

    @Override
    public String type() {
        return DnsProbeProvider.TYPE;
    }

    /**
     * The server over the transport asked for: a UDP check and a TCP check of one server are not
     * linked, since one transport can fail without the other (a UDP check's TCP retry after a
     * truncated answer is incidental).
     */
    @Override
    public String endpoint() {
        return Endpoints.link(tcp ? "tcp" : "udp", server);
    }

    @Override
    public String target() {
        return name + " " + record + " @" + Endpoints.format(server) + (tcp ? " tcp" : "");
    }
}
