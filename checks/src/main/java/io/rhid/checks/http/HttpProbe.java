package io.rhid.checks.http;

import io.rhid.checks.internal.Reasons;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one HTTP request per run on its own client derived from the shared pool; confined to the
 * scheduler's run.
 *
 * <p>The client's own connection management must never fail a probe: a request that fails on a
 * pooled connection before any response (the server closed it while idle, or after its last
 * response) is sent once more on a new connection, never on another pooled one, since those may
 * have been closed by the server just the same.
 */
final class HttpProbe implements Probe {

    private static final Logger log = LoggerFactory.getLogger(HttpProbe.class);

    /** Only this much of a body is read and matched; a longer body closes the connection. */
    static final long BODY_LIMIT = 64 * 1024;

    private final HttpProbeSpec spec;
    private final String label;
    private final String endpoint;
    private final Duration timeout;
    private final HttpClients clients;
    private final OkHttpClient client;
    /** As {@link #client}, but always on a new connection: for the retry. */
    private final OkHttpClient fresh;
    private final Request request;
    private final Request requestClosing;
    private final Pattern body;
    private final ConnectionTracker tracker = new ConnectionTracker();
    /** This probe's server's permits, looked up once: the map entry lives as long as the provider. */
    private final Semaphore permits;
    private final StatusRange[] expectStatus;
    /** The last passing result, reused while the status stays the same (it nearly always does). */
    private ProbeResult lastPass;
    private int lastPassStatus = -1;

    HttpProbe(HttpProbeSpec spec, ProbeContext context, HttpClients clients) {
        this.spec = spec;
        this.label = context.label();
        this.endpoint = spec.endpoint();
        this.timeout = context.timeout();
        this.clients = clients;
        boolean mayUseTls = spec.url().regionMatches(true, 0, "https:", 0, 6) || spec.followRedirects();
        OkHttpClient.Builder builder = clients.pooled(mayUseTls).newBuilder()
                .callTimeout(timeout)
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .followRedirects(spec.followRedirects())
                .followSslRedirects(spec.followRedirects())
                .eventListener(tracker);
        clients.tls(spec.tlsVerify(), spec.tls()).ifPresent(tls -> {
            builder.sslSocketFactory(tls.socketFactory(), tls.trustManager());
            if (tls.hostnameVerifier() != null) {
                builder.hostnameVerifier(tls.hostnameVerifier());
            }
        });
        this.client = builder.build();
        this.fresh = client.newBuilder().connectionPool(clients.noReusePool()).build();
        Request.Builder request = new Request.Builder().url(spec.url()).header("User-Agent", "rhid");
        spec.headers().forEach(request::header);
        boolean needsBody = spec.method().equals("POST") || spec.method().equals("PUT");
        this.request = request.method(spec.method(), needsBody ? RequestBody.create(new byte[0]) : null).build();
        // OkHttp keeps no connection whose request said close; an explicit header of the
        // operator's wins.
        this.requestClosing = spec.headers().keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Connection"))
                ? this.request
                : this.request.newBuilder().header("Connection", "close").build();
        this.body = spec.body().map(Pattern::compile).orElse(null);
        this.permits = clients.inFlight(endpoint);
        this.expectStatus = spec.expectStatus().toArray(new StatusRange[0]);
    }

    @Override
    public ProbeResult run() {
        try {
            // Waiting for a turn is bounded by the timeout too, but not charged to the exchange:
            // the queue is the client's, and when fifty siblings re-run together behind one
            // failure, charging it would fail the last of them although the server answers each
            // in a few milliseconds. A turn takes a whole timeout only when the server hangs.
            if (!permits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                log.debug("{}: {} probes of {} still in flight", label, HttpClients.MAX_IN_FLIGHT_PER_SERVER, endpoint);
                return ProbeResult.failure(Reasons.timeout(timeout));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failure("interrupted");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            Request first = clients.closesAfterResponse(endpoint) ? requestClosing : request;
            try {
                return attempt(client, first, deadline);
            } catch (IOException e) {
                if (e instanceof InterruptedIOException || !tracker.failedOnPooledConnection()) {
                    throw e;
                }
                // The server had closed the pooled connection (idle, after N requests, or after
                // an HTTP/1.0 response): that says nothing about its health.
                log.debug("{}: pooled connection failed ({}), retrying on a new one", label, e.toString());
                return attempt(fresh, requestClosing, deadline);
            }
        } catch (IOException e) {
            return ProbeResult.failure(Reasons.io(e, timeout));
        } catch (RuntimeException e) {
            log.warn("{}: unexpected error probing {}", label, spec.target(), e);
            return ProbeResult.failure(Reasons.unexpected(e));
        } finally {
            permits.release();
        }
    }

    private ProbeResult attempt(OkHttpClient via, Request request, long deadline) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return ProbeResult.failure(Reasons.timeout(timeout));
        }
        tracker.reset();
        Call call = via.newCall(request);
        call.timeout().timeout(remaining, TimeUnit.NANOSECONDS);
        try (Response response = call.execute()) {
            clients.learn(endpoint, response);
            int status = response.code();
            String text = null;
            if (body == null) {
                skip(call, response.body());
            } else {
                text = read(call, response.body());
            }
            if (!expected(status)) {
                return ProbeResult.failure("status " + status);
            }
            if (body != null && !body.matcher(text).find()) {
                return ProbeResult.failure("body does not match /" + Reasons.cut(body.pattern()) + "/");
            }
            if (lastPassStatus != status) {
                lastPass = ProbeResult.pass("status " + status);
                lastPassStatus = status;
            }
            return lastPass;
        }
    }

    private boolean expected(int status) {
        for (StatusRange range : expectStatus) {
            if (range.contains(status)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Discards at most {@link #BODY_LIMIT} bytes when no body pattern needs them: no charset to
     * look up and no string to decode. As in {@link #read}, a longer body cancels the call.
     */
    private static void skip(Call call, ResponseBody body) throws IOException {
        BufferedSource source = body.source();
        boolean longer = source.request(BODY_LIMIT + 1);
        Buffer buffer = source.getBuffer();
        buffer.skip(Math.min(buffer.size(), BODY_LIMIT));
        if (longer) {
            call.cancel();
        }
    }

    /**
     * Reads at most {@link #BODY_LIMIT} bytes. A body read to its end leaves the connection
     * reusable; a longer one cancels the call, because closing it would make OkHttp drain it.
     */
    private static String read(Call call, ResponseBody body) throws IOException {
        BufferedSource source = body.source();
        boolean longer = source.request(BODY_LIMIT + 1);
        Buffer buffer = source.getBuffer();
        long size = Math.min(buffer.size(), BODY_LIMIT);
        MediaType type = body.contentType();
        Charset charset = type == null ? StandardCharsets.UTF_8 : type.charset(StandardCharsets.UTF_8);
        String text = buffer.readString(size, charset);
        if (longer) {
            call.cancel();
        }
        return text;
    }
}
