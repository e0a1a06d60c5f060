package io.rhid.checks.tcp;

import io.rhid.checks.internal.Endpoints;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeProvider;
import io.rhid.checks.spi.SpecReader;
import java.net.InetSocketAddress;
import java.util.Optional;

/** The {@code tcp} check type; stateless and thread-safe. */
public final class TcpProbeProvider implements ProbeProvider<TcpProbeSpec> {

    /** One server's accept queue is read once for all of its checks (see ListenQueues.Recent). */
    private final ListenQueues.Recent scans = new ListenQueues.Recent();

    static final String TYPE = "tcp";

    public TcpProbeProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<TcpProbeSpec> specType() {
        return TcpProbeSpec.class;
    }

    @Override
    public TcpProbeSpec parse(SpecReader reader) {
        InetSocketAddress address = reader.requiredString("address").map(a -> address(reader, a)).orElse(null);
        Optional<String> send = reader.string("send").filter(s -> notEmpty(reader, "send", s));
        Optional<String> expect = reader.string("expect").filter(s -> notEmpty(reader, "expect", s));
        if (reader.hasErrors()) {
            return null;
        }
        return new TcpProbeSpec(address, send, expect);
    }

    @Override
    public Probe create(TcpProbeSpec tcp, ProbeContext context) {
        return new TcpProbe(tcp, context, scans);
    }

    private static InetSocketAddress address(SpecReader reader, String text) {
        try {
            return Endpoints.parseHostPort(text);
        } catch (Endpoints.InvalidEndpointException e) {
            reader.error("address", e.getMessage());
            return null;
        }
    }

    private static boolean notEmpty(SpecReader reader, String field, String value) {
        if (value.isEmpty()) {
            reader.error(field, "must not be empty");
            return false;
        }
        return true;
    }
}
