package io.rhid.checks.dns;

import io.rhid.checks.internal.Endpoints;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeProvider;
import io.rhid.checks.spi.SpecReader;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import static io.rhid.checks.internal.Reasons.quote;

/** The {@code dns} check type; stateless and thread-safe. */
public final class DnsProbeProvider implements ProbeProvider<DnsProbeSpec> {

    static final String TYPE = "dns";

    private static final int DEFAULT_PORT = 53;

    /** Types a single query cannot ask for: zone transfers and pseudo-records. */
    private static final Set<Integer> NOT_QUERYABLE = Set.of(Type.AXFR, Type.IXFR, Type.OPT, Type.TSIG, Type.TKEY);

    public DnsProbeProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<DnsProbeSpec> specType() {
        return DnsProbeSpec.class;
    }

    @Override
    public DnsProbeSpec parse(SpecReader reader) {
        InetSocketAddress server = reader.requiredString("server").map(s -> server(reader, s)).orElse(null);
        Name name = reader.requiredString("name").map(n -> name(reader, n)).orElse(null);
        String record = reader.string("record").map(r -> record(reader, r)).orElse("A");
        String rcode = reader.string("rcode").map(r -> rcode(reader, r)).orElse("NOERROR");
        Optional<String> answer = reader.string("answer");
        boolean tcp = reader.bool("tcp").orElse(false);
        answer.ifPresent(a -> answer(reader, a, record, rcode));
        if (reader.hasErrors()) {
            return null;
        }
        return new DnsProbeSpec(server, name, record, rcode, answer, tcp);
    }

    @Override
    public Probe create(DnsProbeSpec dns, ProbeContext context) {
        return new DnsProbe(dns, context);
    }

    private static InetSocketAddress server(SpecReader reader, String text) {
        try {
            return Endpoints.parseIpWithOptionalPort(text, DEFAULT_PORT);
        } catch (Endpoints.InvalidEndpointException e) {
            reader.error("server", e.getMessage());
            return null;
        }
    }

    private static Name name(SpecReader reader, String text) {
        try {
            if (text.isEmpty()) {
                throw new TextParseException("empty name");
            }
            return Name.fromString(text, Name.root);
        } catch (TextParseException e) {
            // dnsjava starts its messages with the name, which the error already shows.
            String problem = String.valueOf(e.getMessage()).replace("'" + text + "': ", "");
            reader.error("name", "must be a domain name: " + problem + " (found " + quote(text) + ")");
            return null;
        }
    }

    private static String record(SpecReader reader, String text) {
        int type = Type.value(text);
        if (type < 0 || NOT_QUERYABLE.contains(type)) {
            reader.error("record", "must be a record type such as A, AAAA, CNAME, MX, NS, SOA, SRV or TXT (found "
                    + quote(text) + ")");
            return null;
        }
        return Type.string(type);
    }

    private static String rcode(SpecReader reader, String text) {
        int rcode = Rcode.value(text);
        if (rcode < 0) {
            reader.error("rcode", "must be an rcode such as NOERROR, NXDOMAIN, SERVFAIL or REFUSED (found "
                    + quote(text) + ")");
            return null;
        }
        return Rcode.string(rcode);
    }

    private static void answer(SpecReader reader, String answer, String record, String rcode) {
        if (answer.isEmpty()) {
            reader.error("answer", "must not be empty");
        } else if (rcode != null && !rcode.equals("NOERROR")) {
            reader.error("answer", "requires rcode NOERROR (found rcode " + rcode + ")");
        } else if ("A".equals(record) && !(Endpoints.literal(answer, false) instanceof Inet4Address)) {
            reader.error("answer", "must be an IPv4 address for record A (found " + quote(answer) + ")");
        } else if ("AAAA".equals(record) && !(ipv6(answer) instanceof Inet6Address)) {
            reader.error("answer", "must be an IPv6 address for record AAAA (found " + quote(answer) + ")");
        }
    }

    private static InetAddress ipv6(String text) {
        return text.contains(":") ? Endpoints.literal(text, true) : null;
    }
}
