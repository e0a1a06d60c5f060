package io.rhid.checks.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.FakeSpecReader;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HttpProbeProviderTest {

    private final HttpProbeProvider provider = new HttpProbeProvider();

    @Test
    void defaults_to_get_expecting_2xx_with_tls_verified() {
        FakeSpecReader reader = FakeSpecReader.of("url", "http://127.0.0.1:8080/healthz");

        assertThat(provider.parse(reader)).isEqualTo(new HttpProbeSpec("http://127.0.0.1:8080/healthz", "GET", Map.of(),
                List.of(new StatusRange(200, 299)), Optional.empty(), true, false, TlsFiles.NONE));
        assertThat(reader.errors()).isEmpty();
    }

    @Test
    void reads_every_key() {
        FakeSpecReader reader = FakeSpecReader.of(
                "url", "https://[::1]:8443/ready",
                "method", "HEAD",
                "headers", Map.of("Host", "api.example"),
                "expect_status", List.of(204, "3xx", "400-404"),
                "tls_verify", false,
                "follow_redirects", true);

        HttpProbeSpec spec = (HttpProbeSpec) provider.parse(reader);

        assertThat(reader.errors()).isEmpty();
        assertThat(reader.unreadKeys()).isEmpty();
        assertThat(spec).isEqualTo(new HttpProbeSpec("https://[::1]:8443/ready", "HEAD", Map.of("Host", "api.example"),
                List.of(new StatusRange(204, 204), new StatusRange(300, 399), new StatusRange(400, 404)),
                Optional.empty(), false, true, TlsFiles.NONE));
        assertThat(spec.type()).isEqualTo("http");
        assertThat(spec.target()).isEqualTo("https://[::1]:8443/ready");
    }

    @Test
    void accepts_a_body_regex() {
        FakeSpecReader reader = FakeSpecReader.of("url", "http://127.0.0.1/", "body", "\"status\":\\s*\"ok\"");

        assertThat(((HttpProbeSpec) provider.parse(reader)).body()).contains("\"status\":\\s*\"ok\"");
    }

    @Test
    void equal_configs_give_equal_specs() {
        assertThat(provider.parse(FakeSpecReader.of("url", "http://127.0.0.1/", "headers", Map.of("A", "1"))))
                .isEqualTo(provider.parse(FakeSpecReader.of("url", "http://127.0.0.1/", "headers", Map.of("A", "1"))));
    }

    @Test
    void requires_a_url() {
        assertErrors(FakeSpecReader.of(), "url: is required");
    }

    @Test
    void rejects_a_url_that_is_not_absolute() {
        assertErrors(FakeSpecReader.of("url", "localhost:8080/healthz"),
                "url: must be an absolute URL like http://127.0.0.1:8080/healthz (found \"localhost:8080/healthz\")");
    }

    @Test
    void rejects_other_schemes() {
        assertErrors(FakeSpecReader.of("url", "ftp://127.0.0.1/"), "url: scheme must be http or https (found ftp)");
    }

    @Test
    void rejects_a_url_without_host() {
        assertErrors(FakeSpecReader.of("url", "http:///healthz"), "url: must have a host (found \"http:///healthz\")");
    }

    @Test
    void rejects_a_url_okhttp_cannot_parse() {
        assertErrors(FakeSpecReader.of("url", "http://127.0.0.1:99999/"),
                "url: is not a valid URL (found \"http://127.0.0.1:99999/\")");
    }

    @Test
    void rejects_other_methods() {
        assertErrors(FakeSpecReader.of("url", "http://127.0.0.1/", "method", "DELETE"),
                "method: must be GET, HEAD, POST, PUT or OPTIONS (found DELETE)");
    }

    @Test
    void rejects_bad_header_names_and_values() {
        assertErrors(FakeSpecReader.of("url", "http://127.0.0.1/", "headers", Map.of("X Forwarded", "1")),
                "headers: header name must be printable ASCII without spaces (found \"X Forwarded\")");
        assertErrors(FakeSpecReader.of("url", "http://127.0.0.1/", "headers", Map.of("X-Note", "a\nb")),
                "headers: value of header X-Note must be printable ASCII (found \"a\\nb\")");
    }

    @Test
    void rejects_bad_status_entries_each_at_its_index() {
        assertErrors(FakeSpecReader.of("url", "http://127.0.0.1/", "expect_status", List.of(200, 600, "6xx", "ok", "399-200", "99-200")),
                "expect_status[1]: must be a status code 100-599, a class like 2xx, or a range like 200-399 (found \"600\")",
                "expect_status[2]: must be a status code 100-599, a class like 2xx, or a range like 200-399 (found \"6xx\")",
                "expect_status[3]: must be a status code 100-599, a class like 2xx, or a range like 200-399 (found \"ok\")",
                "expect_status[4]: range must run from low to high (found \"399-200\")",
                "expect_status[5]: must be a status code 100-599, a class like 2xx, or a range like 200-399 (found \"99-200\")");
    }

    @Test
    void rejects_an_empty_status_list() {
        assertErrors(FakeSpecReader.of("url", "http://127.0.0.1/", "expect_status", List.of()),
                "expect_status: must not be empty");
    }

    @Test
    void rejects_a_body_regex_that_does_not_compile() {
        assertErrors(FakeSpecReader.of("url", "http://127.0.0.1/", "body", "ok("),
                "body: must be a valid regular expression: Unclosed group near index 3 (found \"ok(\")");
    }

    @Test
    void rejects_an_empty_body_regex() {
        assertErrors(FakeSpecReader.of("url", "http://127.0.0.1/", "body", ""), "body: must not be empty");
    }

    @Test
    void rejects_a_body_regex_with_head() {
        assertErrors(FakeSpecReader.of("url", "http://127.0.0.1/", "method", "HEAD", "body", "ok"),
                "body: cannot be checked with method HEAD, whose responses have no body");
    }

    @Test
    void leaves_type_errors_to_the_reader_and_reports_everything_at_once() {
        assertErrors(FakeSpecReader.of("url", "ftp://x/", "tls_verify", "yes", "method", "get"),
                "url: scheme must be http or https (found ftp)",
                "method: must be GET, HEAD, POST, PUT or OPTIONS (found get)",
                "tls_verify: must be true or false (found \"yes\")");
    }

    private void assertErrors(FakeSpecReader reader, String... errors) {
        assertThat(provider.parse(reader)).isNull();
        assertThat(reader.errors()).containsExactly(errors);
    }
}
