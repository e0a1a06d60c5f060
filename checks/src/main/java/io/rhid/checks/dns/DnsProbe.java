package io.rhid.checks.dns;

import io.rhid.checks.internal.Endpoints;
import io.rhid.checks.internal.Reasons;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one DNS query per run over a socket of its own ({@link DnsExchange}) and judges the reply
 * with dnsjava's message parser; confined to the scheduler's run.
 */
final class DnsProbe implements Probe {

    private static final Logger log = LoggerFactory.getLogger(DnsProbe.class);

    /** The EDNS payload size advertised: the DNS flag day 2020 value, which avoids fragmentation. */
    private static final int EDNS_PAYLOAD = 1232;
    /** The TC (truncated) bit in the header's third byte. */
    private static final int TC = 0x02;

    private final DnsProbeSpec spec;
    private final String label;
    private final Duration timeout;
    private final int type;
    private final int rcode;
    private final InetAddress answerAddress;
    /** The query in wire format, built before any run's clock starts; each run sets a fresh ID. */
    private final byte[] query;
    private final SecureRandom ids = new SecureRandom();

    DnsProbe(DnsProbeSpec spec, ProbeContext context) {
        this.spec = spec;
        this.label = context.label();
        this.timeout = context.timeout();
        this.type = Type.value(spec.record());
        this.rcode = Rcode.value(spec.rcode());
        // Addresses compare as addresses, so "2001:db8::1" matches however dnsjava prints it.
        this.answerAddress = type == Type.A || type == Type.AAAA
                ? spec.answer().map(a -> Endpoints.literal(a, true)).orElse(null)
                : null;
        Message message = Message.newQuery(Record.newRecord(spec.name(), type, DClass.IN));
        message.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
        this.query = message.toWire();
        try {
            // Loads dnsjava's parser now rather than inside the first run's timeout.
            new Message(query);
        } catch (IOException e) {
            throw new IllegalStateException("dnsjava cannot parse its own query", e);
        }
    }

    @Override
    public ProbeResult run() {
        // One deadline bounds the whole exchange, including the TCP retry after a truncated answer.
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            byte[] wire = query.clone();
            int id = ids.nextInt(0x10000);
            wire[0] = (byte) (id >>> 8);
            wire[1] = (byte) id;
            byte[] reply = spec.tcp()
                    ? DnsExchange.tcp(spec.server(), wire, deadline)
                    : DnsExchange.udp(spec.server(), wire, deadline);
            if (!spec.tcp() && (reply[2] & TC) != 0) {
                reply = DnsExchange.tcp(spec.server(), wire, deadline);
            }
            return judge(reply);
        } catch (DnsExchange.ClosedBeforeAnswer e) {
            return ProbeResult.failure(e.getMessage());
        } catch (DnsExchange.BadReply e) {
            return ProbeResult.failure("bad response: " + e.getMessage());
        } catch (IOException e) {
            return ProbeResult.failure(Reasons.io(e, timeout));
        } catch (RuntimeException e) {
            log.warn("{}: unexpected error probing {}", label, spec.target(), e);
            return ProbeResult.failure(Reasons.unexpected(e));
        }
    }

    private ProbeResult judge(byte[] reply) {
        Message response;
        try {
            response = new Message(reply);
        } catch (IOException e) {
            // The header alone still names an error rcode (without OPT's extended bits).
            int headerRcode = reply[3] & 0x0f;
            if (headerRcode != Rcode.NOERROR) {
                String named = "rcode " + Rcode.string(headerRcode);
                return headerRcode == rcode ? ProbeResult.pass(named) : ProbeResult.failure(named);
            }
            return ProbeResult.failure("bad response: " + Reasons.cut(String.valueOf(e.getMessage())));
        }
        // A reply may leave the question out (unbound's REFUSED has QDCOUNT 0); the ID on a socket
        // of our own already ties it to the query. A question that is there must be ours.
        Record question = response.getQuestion();
        if (question != null && !(question.getName().equals(spec.name()) && question.getType() == type
                && question.getDClass() == DClass.IN)) {
            return ProbeResult.failure("bad response: answers another question ("
                    + Reasons.cut(question.getName() + " " + Type.string(question.getType())) + ")");
        }
        return judge(response);
    }

    private ProbeResult judge(Message response) {
        int got = response.getRcode();
        if (got != rcode) {
            return ProbeResult.failure("rcode " + Rcode.string(got));
        }
        if (rcode != Rcode.NOERROR) {
            return ProbeResult.pass("rcode " + Rcode.string(got));
        }
        List<Record> answers = response.getSection(Section.ANSWER).stream()
                .filter(r -> type == Type.ANY || r.getType() == type)
                .toList();
        if (answers.isEmpty()) {
            return ProbeResult.failure("no answer");
        }
        if (spec.answer().isPresent() && answers.stream().noneMatch(this::matches)) {
            return ProbeResult.failure("answer " + Reasons.cut(spec.answer().get()) + " not found");
        }
        return ProbeResult.pass("rcode NOERROR");
    }

    private boolean matches(Record record) {
        if (record instanceof ARecord a && answerAddress != null) {
            return a.getAddress().equals(answerAddress);
        }
        if (record instanceof AAAARecord aaaa && answerAddress != null) {
            return aaaa.getAddress().equals(answerAddress);
        }
        return record.rdataToString().equals(spec.answer().orElseThrow());
    }
}
