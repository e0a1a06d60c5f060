package io.rhid.agent.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rhid.agent.testing.Snapshots;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The exposition format, byte for byte (golden file src/test/resources/golden/metrics/sample.prom;
 * regenerate with -Drhid.golden.update=true and review the diff), and as a real Prometheus parser
 * reads it.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PrometheusTextTest {

    @TempDir
    Path dir;

    static void assertGolden(String name, String actual) throws IOException {
        Path file = Path.of("src/test/resources/golden/metrics", name);
        if (Boolean.getBoolean("rhid.golden.update")) {
            Files.writeString(file, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }

    @Test
    void renders_the_sample_state_exactly() throws IOException {
        assertGolden("sample.prom", PrometheusText.render(Snapshots.sample(), Snapshots.sampleMetrics()));
    }

    @Test
    void the_exported_gauge_counts_sessions_per_configured_prefix_and_is_absent_while_unknown() {
        StatusSnapshot s = Snapshots.sample();
        StatusSnapshot known = new StatusSnapshot(s.version(), s.generatedAtMillis(), s.config(), s.services(), s.announced(),
                s.router(), new StatusSnapshot.Exports(Snapshots.NOW - 1_000, 3.5, List.of("upstream"),
                java.util.Map.of("198.51.100.53/32", 1, "2001:db8::53/128", 0, "198.51.100.123/32", 1, "203.0.113.80/32", 0),
                null));
        assertThat(PrometheusText.render(known, new Metrics()).lines().filter(l -> l.startsWith("rhid_prefix_exported")))
                .containsExactly(
                        "rhid_prefix_exported{prefix=\"198.51.100.123/32\"} 1",
                        "rhid_prefix_exported{prefix=\"198.51.100.53/32\"} 1",
                        "rhid_prefix_exported{prefix=\"2001:db8::53/128\"} 0",
                        "rhid_prefix_exported{prefix=\"203.0.113.80/32\"} 0");
        StatusSnapshot failed = new StatusSnapshot(s.version(), s.generatedAtMillis(), s.config(), s.services(), s.announced(),
                s.router(), new StatusSnapshot.Exports(Snapshots.NOW - 1_000, 10_000, List.of(), java.util.Map.of(),
                "birdc show protocols all failed (timed out)"));
        assertThat(PrometheusText.render(failed, new Metrics()).lines().filter(l -> l.startsWith("rhid_prefix_exported")))
                .as("unknown is not zero").isEmpty();
    }

    @Test
    void a_fresh_daemon_has_every_family_and_zeroes_for_what_it_knows() {
        StatusSnapshot fresh = new StatusSnapshot("0.1.0", Snapshots.NOW, "/etc/rhid/rhid.yaml",
                List.of(Snapshots.sample().services().get(2)), List.of(),
                new StatusSnapshot.Router("frr", "pending", 0, 0, null, 0, 0));
        String text = PrometheusText.render(fresh, new Metrics());
        assertThat(text.lines().filter(l -> l.startsWith("# TYPE")).toList()).containsExactly(
                "# TYPE rhid_build_info gauge",
                "# TYPE rhid_check_duration_seconds histogram",
                "# TYPE rhid_check_failures_total counter",
                "# TYPE rhid_check_up gauge",
                "# TYPE rhid_config_last_reload_success_timestamp_seconds gauge",
                "# TYPE rhid_config_reload_total counter",
                "# TYPE rhid_drift_repairs_total counter",
                "# TYPE rhid_flap_holds_total counter",
                "# TYPE rhid_prefix_announced gauge",
                "# TYPE rhid_prefix_exported gauge",
                "# TYPE rhid_router_apply_duration_seconds histogram",
                "# TYPE rhid_router_apply_total counter",
                "# TYPE rhid_router_last_apply_success_timestamp_seconds gauge",
                "# TYPE rhid_service_state gauge",
                "# TYPE rhid_start_time_seconds gauge",
                "# TYPE rhid_transitions_total counter");
        List<String> samples = text.lines().filter(l -> !l.startsWith("#")).toList();
        // Every counter a configured label value can take is there at 0, so increase() sees the first event.
        assertThat(samples).contains(
                "rhid_check_duration_seconds_bucket{service=\"web\",check=\"http\",le=\"0.0005\"} 0",
                "rhid_check_duration_seconds_bucket{service=\"web\",check=\"http\",le=\"+Inf\"} 0",
                "rhid_check_duration_seconds_count{service=\"web\",check=\"http\"} 0",
                "rhid_config_reload_total{result=\"error\"} 0",
                "rhid_config_reload_total{result=\"ok\"} 0",
                "rhid_drift_repairs_total{kind=\"address\"} 0",
                "rhid_drift_repairs_total{kind=\"file\"} 0",
                "rhid_drift_repairs_total{kind=\"routes\"} 0",
                "rhid_flap_holds_total{service=\"web\"} 0",
                "rhid_router_apply_duration_seconds_count{daemon=\"frr\"} 0",
                "rhid_router_apply_total{daemon=\"frr\",result=\"error\"} 0",
                "rhid_router_apply_total{daemon=\"frr\",result=\"ok\"} 0",
                "rhid_router_last_apply_success_timestamp_seconds 0",
                "rhid_transitions_total{service=\"web\",from=\"down\",to=\"up\"} 0",
                "rhid_transitions_total{service=\"web\",from=\"up\",to=\"down\"} 0",
                "rhid_transitions_total{service=\"web\",from=\"draining\",to=\"drained\"} 0");
        assertThat(samples.stream().filter(l -> l.startsWith("rhid_transitions_total"))).hasSize(20);
        assertThat(samples).noneMatch(l -> l.startsWith("rhid_check_failures_total"));
    }

    @Test
    void histograms_count_each_observation_in_its_bucket_and_every_bucket_above() {
        Metrics m = new Metrics();
        m.record(Metric.ROUTER_APPLY_DURATION, 0.004, "bird");
        m.record(Metric.ROUTER_APPLY_DURATION, 0.005, "bird");
        m.record(Metric.ROUTER_APPLY_DURATION, 30, "bird");
        List<String> samples = PrometheusText.render(Snapshots.sample(), m).lines()
                .filter(l -> l.startsWith("rhid_router_apply_duration_seconds")).toList();
        assertThat(samples).contains(
                "rhid_router_apply_duration_seconds_bucket{daemon=\"bird\",le=\"0.0025\"} 0",
                "rhid_router_apply_duration_seconds_bucket{daemon=\"bird\",le=\"0.005\"} 2",
                "rhid_router_apply_duration_seconds_bucket{daemon=\"bird\",le=\"10\"} 2",
                "rhid_router_apply_duration_seconds_bucket{daemon=\"bird\",le=\"+Inf\"} 3",
                "rhid_router_apply_duration_seconds_sum{daemon=\"bird\"} 30.009",
                "rhid_router_apply_duration_seconds_count{daemon=\"bird\"} 3");
    }

    @Test
    void a_scrape_adds_the_process_basics_before_rhids_families() {
        String text = PrometheusText.scrape(Snapshots.sample(), new Metrics());
        List<String> types = text.lines().filter(l -> l.startsWith("# TYPE")).toList();
        assertThat(types.subList(0, 8)).containsExactly(
                "# TYPE jvm_memory_bytes_used gauge",
                "# TYPE jvm_threads_current gauge",
                "# TYPE process_cpu_seconds_total counter",
                "# TYPE process_max_fds gauge",
                "# TYPE process_open_fds gauge",
                "# TYPE process_resident_memory_bytes gauge",
                "# TYPE process_start_time_seconds gauge",
                "# TYPE process_virtual_memory_bytes gauge");
        double rss = Double.parseDouble(text.lines().filter(l -> l.startsWith("process_resident_memory_bytes "))
                .findFirst().orElseThrow().split(" ")[1]);
        assertThat(rss).as("this JVM's resident memory").isGreaterThan(1 << 20);
        double fds = Double.parseDouble(text.lines().filter(l -> l.startsWith("process_open_fds "))
                .findFirst().orElseThrow().split(" ")[1]);
        assertThat(fds).isGreaterThanOrEqualTo(3);
    }

    @Test
    void a_series_with_the_wrong_number_of_labels_is_refused_and_never_exposed() {
        // An unknown family cannot be named at all: families are Metric constants.
        Metrics m = new Metrics();
        assertThatThrownBy(() -> m.increment(Metric.DRIFT_REPAIRS, "route_missing", "extra"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rhid_drift_repairs_total takes labels [kind], given [route_missing, extra]");
        assertThatThrownBy(() -> m.increment(Metric.DRIFT_REPAIRS)).isInstanceOf(IllegalArgumentException.class);
        List<String> samples = PrometheusText.render(Snapshots.sample(), m).lines().filter(l -> !l.startsWith("#")).toList();
        assertThat(samples.stream().filter(l -> l.startsWith("rhid_drift_repairs_total")))
                .as("only the zero series of the known kinds").allMatch(l -> l.endsWith(" 0")).hasSize(3);
    }

    @Test
    void every_family_is_rendered_once_in_name_order() {
        List<String> names = PrometheusText.render(Snapshots.sample(), new Metrics()).lines()
                .filter(l -> l.startsWith("# TYPE ")).map(l -> l.split(" ")[2]).toList();
        assertThat(names).isSorted().doesNotHaveDuplicates()
                .containsExactly(java.util.Arrays.stream(Metric.values()).map(Metric::familyName).toArray(String[]::new));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0|0", "-0.0|0", "1|1", "3.0|3", "0.0125|0.0125", "1.0E-4|0.0001", "123456.5|123456.5",
            "1.0E20|1.0E20", "1.0E-12|1.0E-12", "NaN|NaN", "Infinity|+Inf", "-Infinity|-Inf"})
    void values_are_written_as_prometheus_reads_them(double value, String text) {
        assertThat(PrometheusText.formatValue(value)).isEqualTo(text);
    }

    @Test
    void label_values_escape_backslash_quote_and_newline_only() {
        StringBuilder out = new StringBuilder();
        PrometheusText.escapeLabelValue(out, "a\\b\"c\nd\te");
        assertThat(out).hasToString("a\\\\b\\\"c\\nd\te");
    }

    /**
     * Runs python3's prometheus_client parser (Debian package python3-prometheus-client) over the
     * output; skipped, loudly, where it is not installed.
     */
    @Test
    void the_prometheus_client_parser_reads_every_family_and_sample() throws Exception {
        String python = pythonWithPrometheusClient();
        String text = PrometheusText.render(Snapshots.sample(), Snapshots.sampleMetrics());
        Path file = Files.writeString(dir.resolve("metrics.prom"), text);
        String script = String.join("\n",
                "import json, sys",
                "from prometheus_client.parser import text_string_to_metric_families",
                "out = []",
                "for f in text_string_to_metric_families(open(sys.argv[1], encoding='utf-8').read()):",
                "    out.append({'name': f.name, 'type': f.type, 'help': f.documentation,",
                "                'samples': [[s.name, s.labels, s.value] for s in f.samples]})",
                "print(json.dumps(out))");
        String json = python(python, script, file.toString());
        JsonNode families = new ObjectMapper().readTree(json);

        List<String> types = new ArrayList<>();
        int samples = 0;
        for (JsonNode f : families) {
            types.add(f.get("name").asText() + " " + f.get("type").asText());
            samples += f.get("samples").size();
        }
        // The Python client names a counter family without its _total suffix.
        assertThat(types).containsExactly(
                "rhid_build_info gauge",
                "rhid_check_duration_seconds histogram",
                "rhid_check_failures counter",
                "rhid_check_up gauge",
                "rhid_config_last_reload_success_timestamp_seconds gauge",
                "rhid_config_reload counter",
                "rhid_drift_repairs counter",
                "rhid_flap_holds counter",
                "rhid_prefix_announced gauge",
                "rhid_prefix_exported gauge",
                "rhid_router_apply_duration_seconds histogram",
                "rhid_router_apply counter",
                "rhid_router_last_apply_success_timestamp_seconds gauge",
                "rhid_service_state gauge",
                "rhid_start_time_seconds gauge",
                "rhid_transitions counter");
        assertThat(samples).isEqualTo(text.lines().filter(l -> !l.startsWith("#")).count());
        assertThat(families.get(6).get("samples").toString())
                .contains("[\"rhid_drift_repairs_total\",{\"kind\":\"odd \\\"kind\\\" \\\\ with\\nnewline\"},1.0]");
        assertThat(families.get(10).get("samples").toString()).contains(
                "[\"rhid_router_apply_duration_seconds_bucket\",{\"daemon\":\"bird\",\"le\":\"0.025\"},1.0]",
                "[\"rhid_router_apply_duration_seconds_bucket\",{\"daemon\":\"bird\",\"le\":\"+Inf\"},2.0]",
                "[\"rhid_router_apply_duration_seconds_sum\",{\"daemon\":\"bird\"},0.5123]",
                "[\"rhid_router_apply_duration_seconds_count\",{\"daemon\":\"bird\"},2.0]");
        assertThat(families.get(13).get("help").asText()).isEqualTo("1 for the service's current state, 0 for its other states.");
    }

    /** The first python3 that has the module: Debian's own may not be the first python3 on PATH (pyenv). */
    private static String pythonWithPrometheusClient() throws InterruptedException {
        for (String python : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import prometheus_client.parser")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                boolean ok = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
                p.destroyForcibly();
                if (ok) {
                    return python;
                }
            } catch (IOException e) {
                // not installed at this path
            }
        }
        System.err.println("SKIPPED PrometheusTextTest: no python3 with prometheus_client; "
                + "install the Debian package python3-prometheus-client to check /metrics with a real parser");
        Assumptions.abort("python3-prometheus-client is not installed");
        return null;
    }

    private static String python(String python, String script, String arg) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(python, "-c", script, arg).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }
}
