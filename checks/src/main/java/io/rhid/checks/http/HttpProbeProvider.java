package io.rhid.checks.http;

import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeProvider;
import io.rhid.checks.spi.SpecReader;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import okhttp3.Headers;
import okhttp3.HttpUrl;

import static io.rhid.checks.internal.Reasons.quote;

/**
 * The {@code http} check type; parses on the config thread and creates probes from any thread,
 * all sharing one lazily built {@link HttpClients}.
 */
public final class HttpProbeProvider implements ProbeProvider<HttpProbeSpec> {

    static final String TYPE = "http";

    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "OPTIONS");
    private static final List<StatusRange> DEFAULT_STATUS = List.of(new StatusRange(200, 299));
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://(.*)", Pattern.DOTALL);
    private static final Pattern CODE = Pattern.compile("\\d{3}");
    private static final Pattern CLASS = Pattern.compile("([1-5])xx", Pattern.CASE_INSENSITIVE);
    private static final Pattern RANGE = Pattern.compile("(\\d{3})-(\\d{3})");

    private HttpClients clients;

    public HttpProbeProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<HttpProbeSpec> specType() {
        return HttpProbeSpec.class;
    }

    @Override
    public HttpProbeSpec parse(SpecReader reader) {
        // A value that failed validation is replaced by null or a default below; that is harmless
        // because hasErrors() then stops the spec from being built.
        String url = reader.requiredString("url").map(u -> url(reader, u)).orElse(null);
        String method = reader.string("method").map(m -> method(reader, m)).orElse("GET");
        Map<String, String> headers = reader.stringMap("headers").map(h -> headers(reader, h)).orElse(Map.of());
        List<StatusRange> expect = reader.strings("expect_status").map(s -> statuses(reader, s)).orElse(DEFAULT_STATUS);
        Optional<String> body = reader.string("body").filter(b -> body(reader, b, method));
        boolean tlsVerify = reader.bool("tls_verify").orElse(true);
        boolean followRedirects = reader.bool("follow_redirects").orElse(false);
        TlsFiles tls = tlsFiles(reader, url, tlsVerify);
        if (reader.hasErrors()) {
            return null;
        }
        return new HttpProbeSpec(url, method, headers, expect, body, tlsVerify, followRedirects, tls);
    }

    @Override
    public Probe create(HttpProbeSpec http, ProbeContext context) {
        return new HttpProbe(http, context, clients());
    }

    /** Builds the shared client and exchanges requests with a throwaway loopback server, over TLS too if a check uses https. */
    @Override
    public void warmUp(List<HttpProbeSpec> specs) {
        boolean tls = specs.stream().anyMatch(h -> h.url().regionMatches(true, 0, "https:", 0, 6));
        clients().warmUp(tls);
    }

    /** What all probes share, so that a run costs one request on a kept-alive connection. */
    synchronized HttpClients clients() {
        if (clients == null) {
            clients = new HttpClients();
        }
        return clients;
    }

    private static TlsFiles tlsFiles(SpecReader reader, String url, boolean tlsVerify) {
        Optional<String> caPath = reader.string("ca_file");
        Optional<String> certPath = reader.string("client_cert");
        Optional<String> keyPath = reader.string("client_key");
        if (caPath.isEmpty() && certPath.isEmpty() && keyPath.isEmpty()) {
            return TlsFiles.NONE;
        }
        boolean https = url != null && url.regionMatches(true, 0, "https:", 0, 6);
        if (url != null && !https) {
            for (String key : List.of("ca_file", "client_cert", "client_key")) {
                if (reader.string(key).isPresent()) {
                    reader.error(key, "applies only to https URLs (url is " + quote(url) + ")");
                }
            }
            return TlsFiles.NONE;
        }
        boolean misplaced = false;
        if (caPath.isPresent() && !tlsVerify) {
            reader.error("ca_file", "cannot be used with tls_verify: false, which trusts any certificate");
            misplaced = true;
        }
        if (certPath.isPresent() && keyPath.isEmpty()) {
            reader.error("client_cert", "requires client_key, the PEM file of the certificate's private key");
            misplaced = true;
        }
        if (keyPath.isPresent() && certPath.isEmpty()) {
            reader.error("client_key", "requires client_cert, the PEM file of the client certificate");
            misplaced = true;
        }
        if (misplaced) {
            // The files are read once the keys make sense together: one mistake, one message.
            return TlsFiles.NONE;
        }
        List<X509Certificate> ca = caPath.flatMap(p -> PemFiles.read(reader, "ca_file", p))
                .flatMap(text -> PemFiles.certificates(reader, "ca_file", caPath.get(), text))
                .orElse(List.of());
        List<X509Certificate> chain = certPath.flatMap(p -> PemFiles.read(reader, "client_cert", p))
                .flatMap(text -> PemFiles.certificates(reader, "client_cert", certPath.get(), text))
                .orElse(List.of());
        Optional<PrivateKey> key = keyPath.flatMap(p -> PemFiles.read(reader, "client_key", p))
                .flatMap(text -> PemFiles.privateKey(reader, "client_key", keyPath.get(), text));
        if (!chain.isEmpty() && key.isPresent() && !PemFiles.matches(chain.get(0), key.get())) {
            reader.error("client_key", quote(keyPath.get()) + " is not the private key of the certificate in "
                    + quote(certPath.get()));
        }
        if (reader.hasErrors()) {
            return TlsFiles.NONE;
        }
        return new TlsFiles(caPath, ca, certPath, chain, keyPath, key);
    }

    private static String url(SpecReader reader, String text) {
        Matcher scheme = SCHEME.matcher(text);
        if (!scheme.matches()) {
            reader.error("url", "must be an absolute URL like http://127.0.0.1:8080/healthz (found " + quote(text) + ")");
            return null;
        }
        String name = scheme.group(1).toLowerCase(Locale.ROOT);
        if (!name.equals("http") && !name.equals("https")) {
            reader.error("url", "scheme must be http or https (found " + scheme.group(1) + ")");
            return null;
        }
        String rest = scheme.group(2);
        if (rest.isEmpty() || "/?#".indexOf(rest.charAt(0)) >= 0) {
            reader.error("url", "must have a host (found " + quote(text) + ")");
            return null;
        }
        if (HttpUrl.parse(text) == null) {
            reader.error("url", "is not a valid URL (found " + quote(text) + ")");
            return null;
        }
        return text;
    }

    private static String method(SpecReader reader, String method) {
        if (!METHODS.contains(method)) {
            reader.error("method", "must be GET, HEAD, POST, PUT or OPTIONS (found " + method + ")");
            return null;
        }
        return method;
    }

    private static Map<String, String> headers(SpecReader reader, Map<String, String> headers) {
        Map<String, String> valid = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            // Validated with OkHttp's own rules, which would otherwise throw on every run.
            try {
                new Headers.Builder().add(name, "");
            } catch (IllegalArgumentException e) {
                reader.error("headers", "header name must be printable ASCII without spaces (found " + quote(name) + ")");
                return;
            }
            try {
                new Headers.Builder().add(name, value);
            } catch (IllegalArgumentException e) {
                reader.error("headers", "value of header " + name + " must be printable ASCII (found " + quote(value) + ")");
                return;
            }
            valid.put(name, value);
        });
        return valid;
    }

    private static List<StatusRange> statuses(SpecReader reader, List<String> items) {
        if (items.isEmpty()) {
            reader.error("expect_status", "must not be empty");
            return null;
        }
        List<StatusRange> ranges = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            String field = "expect_status[" + i + "]";
            Matcher code = CODE.matcher(item);
            Matcher group = CLASS.matcher(item);
            Matcher range = RANGE.matcher(item);
            if (code.matches() && valid(item)) {
                int status = Integer.parseInt(item);
                ranges.add(new StatusRange(status, status));
            } else if (group.matches()) {
                int hundreds = Integer.parseInt(group.group(1)) * 100;
                ranges.add(new StatusRange(hundreds, hundreds + 99));
            } else if (range.matches() && valid(range.group(1)) && valid(range.group(2))) {
                int low = Integer.parseInt(range.group(1));
                int high = Integer.parseInt(range.group(2));
                if (low > high) {
                    reader.error(field, "range must run from low to high (found " + quote(item) + ")");
                } else {
                    ranges.add(new StatusRange(low, high));
                }
            } else {
                reader.error(field, "must be a status code 100-599, a class like 2xx, or a range like 200-399 (found "
                        + quote(item) + ")");
            }
        }
        return ranges;
    }

    private static boolean valid(String code) {
        int status = Integer.parseInt(code);
        return status >= 100 && status <= 599;
    }

    private static boolean body(SpecReader reader, String regex, String method) {
        if (regex.isEmpty()) {
            reader.error("body", "must not be empty");
            return false;
        }
        if ("HEAD".equals(method)) {
            reader.error("body", "cannot be checked with method HEAD, whose responses have no body");
            return false;
        }
        try {
            Pattern.compile(regex);
            return true;
        } catch (PatternSyntaxException e) {
            reader.error("body", "must be a valid regular expression: " + e.getDescription() + " near index "
                    + e.getIndex() + " (found " + quote(regex) + ")");
            return false;
        }
    }
}
