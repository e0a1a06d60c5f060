package io.rhid.checks.tcp;

import io.rhid.checks.internal.Endpoints;
import io.rhid.checks.spi.ProbeSpec;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code tcp} check: connect to {@code address}, optionally write {@code send}, optionally wait
 * until {@code expect} appears in what the service writes back.
 *
 * @param address an IP address and port (a {@code localhost} in the config is the loopback address)
 * @param send    text written (UTF-8) once connected
 * @param expect  text (UTF-8) that must appear in the first 64 KiB read back
 */
record TcpProbeSpec(InetSocketAddress address, Optional<String> send, Optional<String> expect) implements ProbeSpec {

    TcpProbeSpec {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(send, "send");
        Objects.requireNonNull(expect, "expect");
    }

    @Override
    public String type() {
        return TcpProbeProvider.TYPE;
    }

    /** TCP to {@code address}: linked with http and dns-over-TCP checks of the same port. */
    @Override
    public String endpoint() {
        return Endpoints.link("tcp", address);
    }

    @Override
    public String target() {
        return Endpoints.format(address);
    }
}
