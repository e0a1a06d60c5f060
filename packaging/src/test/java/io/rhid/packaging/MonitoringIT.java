package io.rhid.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Prometheus alert rules and Grafana dashboard: promtool checks and unit-tests the
 * rules, the dashboard is valid JSON whose queries parse as PromQL and name only rhid's metrics,
 * and the README's alert section lists what the file holds. Skipped without promtool (Debian's
 * prometheus package; .ci/run installs it).
 */
@Tag("packaging")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MonitoringIT {

    static final Path RULES = StagedTreeIT.ROOT.resolve("usr/share/rhid/rhid-alerts.rules.yml");
    static final Path DASHBOARD = StagedTreeIT.ROOT.resolve("usr/share/rhid/rhid-grafana-dashboard.json");
    static final Path RULES_TEST = Path.of("src/test/prometheus/rhid-alerts.test.yml");

    /**
     * The series rhid exposes, from the metrics renderer's golden file (PrometheusTextTest keeps it
     * equal to what /metrics serves), and Prometheus's own up.
     */
    static final Path GOLDEN_METRICS = Path.of("../agent/src/test/resources/golden/metrics/sample.prom");

    static final Pattern METRIC = Pattern.compile("\\b(up|rhid_[a-z0-9_]+)\\b(?=\\s*[{\\[)]|\\s*(==|>|<|$))");

    @TempDir
    Path tmp;

    @Test
    void promtool_accepts_the_rules() {
        Path promtool = Commands.require("promtool", "prometheus");
        Commands.Result r = Commands.run(promtool.toString(), "check", "rules", RULES.toString());
        System.out.println("promtool check rules:\n" + r.out() + r.err());
        assertThat(r.exit()).as("promtool check rules: %s%s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("SUCCESS: 8 rules found");
    }

    @Test
    void the_rules_fire_for_service_down_apply_failing_flap_hold_reload_failing_not_scraped_and_exported_nowhere() throws IOException {
        Path promtool = Commands.require("promtool", "prometheus");
        Files.copy(RULES, tmp.resolve("rhid-alerts.rules.yml"));
        Path test = Files.copy(RULES_TEST, tmp.resolve("rhid-alerts.test.yml"));
        String tests = Files.readString(test);
        for (String alert : alertNames()) {
            assertThat(tests).as("a promtool test for " + alert).contains("alertname: " + alert);
        }
        Commands.Result r = Commands.run(promtool.toString(), "test", "rules", test.toString());
        System.out.println("promtool test rules:\n" + r.out() + r.err());
        assertThat(r.exit()).as("promtool test rules: %s%s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("SUCCESS");
    }

    static Set<String> exposed() throws IOException {
        Set<String> names = new TreeSet<>(Set.of("up"));
        for (String line : Files.readAllLines(GOLDEN_METRICS)) {
            if (!line.startsWith("#") && !line.isBlank()) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        assertThat(names).contains("rhid_service_state", "rhid_router_apply_duration_seconds_bucket");
        return names;
    }

    @Test
    void the_rules_name_only_series_rhid_exposes() throws IOException {
        assertThat(metricsIn(Files.readString(RULES))).isNotEmpty().isSubsetOf(exposed())
                .contains("rhid_service_state", "rhid_router_apply_total", "rhid_flap_holds_total", "rhid_config_reload_total", "up",
                        "rhid_prefix_announced", "rhid_prefix_exported");
    }

    @Test
    void the_dashboard_is_json_with_the_fleet_panels() throws IOException {
        JsonNode dash = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dash.path("uid").asText()).isEqualTo("rhid-fleet");
        List<String> titles = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dash.path("panels")) {
            titles.add(panel.path("title").asText());
            assertThat(ids.add(panel.path("id").asInt())).as("panel id %s is unique", panel.path("id")).isTrue();
            assertThat(panel.path("gridPos").path("w").asInt()).as("%s has a position", panel.path("title")).isPositive();
            assertThat(panel.path("targets")).as("%s has queries", panel.path("title")).isNotEmpty();
        }
        assertThat(titles).contains("Services up per host", "Withdrawals", "Router apply latency p99");
        assertThat(exprs(dash)).anyMatch(e -> e.startsWith("histogram_quantile(0.99,")
                && e.contains("rate(rhid_router_apply_duration_seconds_bucket{"));
        assertThat(exprs(dash).stream().map(MonitoringIT::metricsIn).flatMap(Set::stream).toList()).isNotEmpty().isSubsetOf(exposed());
    }

    @Test
    void every_dashboard_query_is_valid_promql() throws IOException {
        Path promtool = Commands.require("promtool", "prometheus");
        // promtool parses PromQL only in rule files: each query becomes a recording rule, with
        // Grafana's variables replaced by what they expand to.
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int i = 0;
        for (String expr : exprs(new ObjectMapper().readTree(DASHBOARD.toFile()))) {
            String promql = expr.replace("$__rate_interval", "5m").replace("$job", ".*").replace("$instance", ".*");
            rules.append("      - record: dashboard:query").append(i++).append("\n        expr: '")
                    .append(promql.replace("'", "''")).append("'\n");
        }
        assertThat(i).isGreaterThanOrEqualTo(10);
        Path file = Files.writeString(tmp.resolve("dashboard.rules.yml"), rules);
        Commands.Result r = Commands.run(promtool.toString(), "check", "rules", file.toString());
        assertThat(r.exit()).as("promtool check rules on the dashboard's queries: %s%s\n%s", r.out(), r.err(), rules).isZero();
    }

    @Test
    void the_readme_alert_section_points_at_the_shipped_file_and_names_every_alert() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("\n### Alerts");
        assertThat(start).as("README has an Alerts section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        assertThat(section).contains("/usr/share/rhid/rhid-alerts.rules.yml", "/usr/share/rhid/rhid-grafana-dashboard.json");
        for (String alert : alertNames()) {
            assertThat(section).as("README's alert section names " + alert).contains(alert);
        }
    }

    static List<String> alertNames() throws IOException {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*- alert: (\\S+)$").matcher(Files.readString(RULES));
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).hasSize(8);
        return names;
    }

    static List<String> exprs(JsonNode dash) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dash.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        return exprs;
    }

    static Set<String> metricsIn(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
