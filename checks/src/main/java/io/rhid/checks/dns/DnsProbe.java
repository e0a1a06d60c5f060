package io.rhid.checks.dns;

import io.rhid.checks.internal.Endpoints;
import io.rhid.checks.internal.Reasons;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends one DNS query per run with dnsjava's {@link SimpleResolver}; confined to the scheduler's run. */
final class DnsProbe implements Probe {

    private static final Logger log = LoggerFactory.getLogger(DnsProbe.class);

    private final DnsProbeSpec spec;
    private final String label;
    private final Duration timeout;
    private final SimpleResolver resolver;
    private final int type;
    private final int rcode;
    private final InetAddress answerAddress;

    DnsProbe(DnsProbeSpec spec, ProbeContext context) {
        this.spec = spec;
        this.label = context.label();
        this.timeout = context.timeout();
        this.type = Type.value(spec.record());
        this.rcode = Rcode.value(spec.rcode());
        this.resolver = new SimpleResolver(spec.server());
        resolver.setTimeout(timeout);
        resolver.setTCP(spec.tcp());
        // Addresses compare as addresses, so "2001:db8::1" matches however dnsjava prints it.
        this.answerAddress = type == Type.A || type == Type.AAAA
                ? spec.answer().map(a -> Endpoints.literal(a, true)).orElse(null)
                : null;
    }

    @Override
    public ProbeResult run() {
        CompletableFuture<Message> future = null;
        try {
            Message query = Message.newQuery(Record.newRecord(spec.name(), type, DClass.IN));
            // The direct executor keeps response handling on dnsjava's I/O thread: the common
            // pool it would use otherwise can be starved by unrelated work, faking timeouts.
            future = resolver.sendAsync(query, Runnable::run).toCompletableFuture();
            // Bounds the whole exchange: after a truncated UDP answer, dnsjava gives the TCP retry
            // a fresh timeout of its own.
            return judge(future.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            future.cancel(false);
            return ProbeResult.failure(Reasons.timeout(timeout));
        } catch (ExecutionException e) {
            return ProbeResult.failure(describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failure("interrupted");
        } catch (RuntimeException e) {
            log.warn("{}: unexpected error probing {}", label, spec.target(), e);
            return ProbeResult.failure(Reasons.unexpected(e));
        }
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

    private String describe(Throwable cause) {
        if (cause instanceof WireParseException) {
            return "bad response: " + Reasons.cut(String.valueOf(cause.getMessage()));
        }
        if (cause instanceof IOException io) {
            return Reasons.io(io, timeout);
        }
        if (cause instanceof TimeoutException) {
            return Reasons.timeout(timeout);
        }
        return Reasons.unexpected(cause);
    }
}
