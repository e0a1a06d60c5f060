package io.rhid.checks.http;

import io.rhid.checks.internal.Endpoints;
import io.rhid.checks.internal.Redaction;
import io.rhid.checks.spi.ProbeSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@code http} check: one request to {@code url}, healthy when the status is expected and the
 * body (its first 64 KiB) contains a match of {@code body}.
 *
 * @param url             an absolute http or https URL
 * @param method          GET, HEAD, POST, PUT or OPTIONS
 * @param headers         request headers added to the request
 * @param expectStatus    healthy statuses
 * @param body            a regular expression that must be found in the body
 * @param tlsVerify       whether to verify the certificate chain and host name
 * @param followRedirects whether to follow 3xx responses instead of judging them
 * @param tls             the CA bundle and client certificate read from the check's files
 */
record HttpProbeSpec(
        String url,
        String method,
        Map<String, String> headers,
        List<StatusRange> expectStatus,
        Optional<String> body,
        boolean tlsVerify,
        boolean followRedirects,
        TlsFiles tls) implements ProbeSpec {

    HttpProbeSpec {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(method, "method");
        headers = Map.copyOf(headers);
        expectStatus = List.copyOf(expectStatus);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(tls, "tls");
    }

    @Override
    public String type() {
        return HttpProbeProvider.TYPE;
    }

    /**
     * TCP to the URL's host and port (80 and 443 by default): paths on one server, and tcp checks
     * of its port, share it.
     */
    @Override
    public String endpoint() {
        okhttp3.HttpUrl parsed = okhttp3.HttpUrl.parse(url);
        return parsed == null ? url : Endpoints.link("tcp", parsed.host(), parsed.port());
    }

    /** The URL without its secrets: userinfo and query values are shown as {@code ***}. */
    @Override
    public String target() {
        return Redaction.url(url);
    }
}
