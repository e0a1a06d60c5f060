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

/** Sends one HTTP request per run on its own client derived from the shared pool; confined to the scheduler's run. */
final class HttpProbe implements Probe {

    private static final Logger log = LoggerFactory.getLogger(HttpProbe.class);

    /** Only this much of a body is read and matched; a longer body closes the connection. */
    static final long BODY_LIMIT = 64 * 1024;

    private final HttpProbeSpec spec;
    private final String label;
    private final Duration timeout;
    private final OkHttpClient client;
    private final Request request;
    private final Pattern body;
    private final ConnectionTracker tracker = new ConnectionTracker();

    HttpProbe(HttpProbeSpec spec, ProbeContext context, OkHttpClient base) {
        this.spec = spec;
        this.label = context.label();
        this.timeout = context.timeout();
        OkHttpClient.Builder builder = base.newBuilder()
                .callTimeout(timeout)
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .followRedirects(spec.followRedirects())
                .followSslRedirects(spec.followRedirects())
                .eventListener(tracker);
        if (!spec.tlsVerify()) {
            builder.sslSocketFactory(TrustAll.socketFactory(), TrustAll.MANAGER).hostnameVerifier((host, session) -> true);
        }
        this.client = builder.build();
        Request.Builder request = new Request.Builder().url(spec.url()).header("User-Agent", "rhid");
        spec.headers().forEach(request::header);
        boolean needsBody = spec.method().equals("POST") || spec.method().equals("PUT");
        this.request = request.method(spec.method(), needsBody ? RequestBody.create(new byte[0]) : null).build();
        this.body = spec.body().map(Pattern::compile).orElse(null);
    }

    @Override
    public ProbeResult run() {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            try {
                return attempt(deadline);
            } catch (IOException e) {
                if (e instanceof InterruptedIOException || !tracker.failedOnPooledConnection()) {
                    throw e;
                }
                // The server closed the idle keep-alive connection (Apache and Node close after
                // 5 s): that says nothing about its health, so try once on a fresh connection.
                log.debug("{}: pooled connection failed ({}), retrying on a new one", label, e.toString());
                return attempt(deadline);
            }
        } catch (IOException e) {
            return ProbeResult.failure(Reasons.io(e, timeout));
        } catch (RuntimeException e) {
            log.warn("{}: unexpected error probing {}", label, spec.target(), e);
            return ProbeResult.failure(Reasons.unexpected(e));
        }
    }

    private ProbeResult attempt(long deadline) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return ProbeResult.failure(Reasons.timeout(timeout));
        }
        tracker.reset();
        Call call = client.newCall(request);
        call.timeout().timeout(remaining, TimeUnit.NANOSECONDS);
        try (Response response = call.execute()) {
            String text = read(call, response.body());
            int status = response.code();
            if (spec.expectStatus().stream().noneMatch(range -> range.contains(status))) {
                return ProbeResult.failure("status " + status);
            }
            if (body != null && !body.matcher(text).find()) {
                return ProbeResult.failure("body does not match /" + Reasons.cut(body.pattern()) + "/");
            }
            return ProbeResult.pass("status " + status);
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
