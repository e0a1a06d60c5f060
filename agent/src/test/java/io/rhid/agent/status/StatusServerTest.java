package io.rhid.agent.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.testing.Snapshots;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The read-only HTTP server on a loopback port of its own choosing. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StatusServerTest {

    static final RhidConfig.Status LOOPBACK = new RhidConfig.Status("127.0.0.1", 0, false);

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final List<StatusServer> servers = new ArrayList<>();
    final Metrics metrics = Snapshots.sampleMetrics();

    @AfterEach
    void close() {
        servers.forEach(StatusServer::close);
    }

    StatusServer start(Supplier<StatusSnapshot> snapshots) throws IOException {
        StatusServer s = StatusServer.start(LOOPBACK, snapshots, metrics);
        servers.add(s);
        return s;
    }

    HttpResponse<String> request(StatusServer s, String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + s.address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void binds_only_the_configured_address() throws IOException {
        StatusServer s = start(Snapshots::sample);
        assertThat(s.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(s.address().getPort()).isPositive();
    }

    @Test
    void status_is_the_snapshot_as_json_with_snake_case_keys() throws Exception {
        HttpResponse<String> r = request(start(Snapshots::sample), "GET", "/status");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        JsonNode json = StatusJson.mapper().readTree(r.body());
        assertThat(json.fieldNames()).toIterable()
                .containsExactly("version", "generated_at_millis", "config", "services", "announced", "router", "exports");
        assertThat(json.path("services").get(0).fieldNames()).toIterable()
                .containsExactly("name", "state", "since_millis", "reason", "policy", "prefixes", "checks");
        assertThat(json.path("services").get(0).path("checks").get(0).fieldNames()).toIterable()
                .containsExactly("name", "type", "target", "up", "last_result", "reason", "latency_ms", "last_run_millis",
                        "consecutive_passes", "consecutive_failures", "interval", "fast_interval", "timeout", "rise", "fall");
        assertThat(json.path("announced").get(0).fieldNames()).toIterable()
                .containsExactly("prefix", "state", "services", "communities", "large_communities", "med", "prepend",
                        "exported_to");
        assertThat(json.path("router").toString()).isEqualTo("{\"daemon\":\"bird\",\"last_result\":\"ok\","
                + "\"last_apply_millis\":1699999997000,\"last_duration_ms\":12.3,\"error\":null,\"next_retry_millis\":0,"
                + "\"drift_repairs\":0}");
        assertThat(json.path("exports").toString()).isEqualTo("{\"queried_at_millis\":1699999999000,\"duration_ms\":4.2,"
                + "\"sessions\":[\"upstream4\",\"upstream6\"],\"prefixes\":{\"198.51.100.123/32\":2,\"198.51.100.53/32\":2,"
                + "\"2001:db8::53/128\":0,\"203.0.113.80/32\":0},\"error\":null}");
        assertThat(json.path("announced").get(2).path("exported_to").asInt()).isZero();
        assertThat(StatusJson.mapper().treeToValue(json, StatusSnapshot.class)).isEqualTo(Snapshots.sample());
    }

    @Test
    void metrics_is_the_prometheus_text_with_its_content_type() throws Exception {
        HttpResponse<String> r = request(start(Snapshots::sample), "GET", "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        // The process basics come first and change from scrape to scrape; rhid's families follow as rendered.
        assertThat(r.body()).startsWith("# HELP jvm_memory_bytes_used ")
                .endsWith(PrometheusText.render(Snapshots.sample(), metrics));
    }

    @Test
    void healthz_is_ok_while_a_snapshot_can_be_taken_and_503_when_not() throws Exception {
        assertThat(request(start(Snapshots::sample), "GET", "/healthz"))
                .satisfies(r -> assertThat(r.statusCode()).isEqualTo(200))
                .satisfies(r -> assertThat(r.body()).isEqualTo("ok\n"));
        StatusServer broken = start(() -> {
            throw new IllegalStateException("loop gone");
        });
        HttpResponse<String> r = request(broken, "GET", "/healthz");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("unavailable: java.lang.IllegalStateException: loop gone\n");
        assertThat(request(broken, "GET", "/status").statusCode()).isEqualTo(503);
    }

    @Test
    void a_failed_router_apply_does_not_make_healthz_fail() throws Exception {
        StatusSnapshot s = Snapshots.sample();
        StatusSnapshot failing = new StatusSnapshot(s.version(), s.generatedAtMillis(), s.config(), s.services(), s.announced(),
                new StatusSnapshot.Router("bird", "error", Snapshots.NOW, 5, "birdc: syntax error", Snapshots.NOW + 250, 0));
        assertThat(request(start(() -> failing), "GET", "/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void other_paths_are_404_and_other_methods_405() throws Exception {
        StatusServer s = start(Snapshots::sample);
        HttpResponse<String> missing = request(s, "GET", "/drain");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("not found: /drain (try /status, /metrics or /healthz)\n");
        assertThat(request(s, "GET", "/").statusCode()).isEqualTo(404);
        assertThat(request(s, "GET", "/status/x").statusCode()).isEqualTo(404);
        for (String method : List.of("POST", "PUT", "DELETE")) {
            HttpResponse<String> r = request(s, method, "/status");
            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
        }
    }

    @Test
    void head_answers_with_headers_only() throws Exception {
        HttpResponse<String> r = request(start(Snapshots::sample), "HEAD", "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("Content-Type")).hasValue(PrometheusText.CONTENT_TYPE);
    }

    @Test
    void an_address_in_use_is_reported_with_the_config_key() throws IOException {
        StatusServer first = start(Snapshots::sample);
        RhidConfig.Status same = new RhidConfig.Status("127.0.0.1", first.address().getPort(), false);
        assertThatThrownBy(() -> StatusServer.start(same, Snapshots::sample, metrics))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("status.listen 127.0.0.1:" + first.address().getPort() + ": cannot listen: ");
    }
}
