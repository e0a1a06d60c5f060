package io.rhid.agent.status;

import io.rhid.agent.health.ServiceState;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders rhid's metrics in the Prometheus text exposition format 0.0.4: the gauges from a
 * {@link StatusSnapshot}, the counters, gauges and histograms from {@link Metrics}. Pure and
 * byte-deterministic: families in name order, samples in label-value order.
 *
 * <p>{@link Metric} is the one table of what rhid exposes; the control loop records into
 * {@link Metrics} through its constants. Every counter and histogram has a
 * zero series for every label value rhid knows from its config (services, checks, the daemon,
 * results, drift kinds, state changes), so {@code increase()} and {@code rate()} see the first
 * event of each.
 */
public final class PrometheusText {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The kinds of drift rhid repairs (see {@code apply.Drift}). */
    static final List<String> DRIFT_KINDS = List.of("address", "file", "routes");

    private static final Comparator<List<String>> LABEL_ORDER = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private PrometheusText() {
    }

    /** What {@code /metrics} serves: the process and JVM basics, then rhid's own families. */
    public static String scrape(StatusSnapshot snapshot, Metrics metrics) {
        return ProcessMetrics.read().render() + render(snapshot, metrics);
    }

    /** rhid's own families, ending in a newline. */
    public static String render(StatusSnapshot snapshot, Metrics metrics) {
        // Read each map once, so one scrape sees one moment of each.
        Map<Metrics.Key, Long> counters = metrics.counters();
        Map<Metrics.Key, Double> gauges = metrics.gauges();
        Map<Metrics.Key, Metrics.HistogramView> histograms = metrics.histograms();
        StringBuilder out = new StringBuilder(4096);
        for (Metric f : Metric.values()) {
            out.append("# HELP ").append(f.familyName()).append(' ').append(escapeHelp(f.help())).append('\n');
            out.append("# TYPE ").append(f.familyName()).append(' ').append(f.type().text()).append('\n');
            if (f.type() == Metric.Type.HISTOGRAM) {
                histogram(f, snapshot, histograms).forEach((labels, h) -> renderHistogram(out, f, labels, h));
            } else {
                Map<List<String>, Double> samples = f.source() == Metric.Source.SNAPSHOT ? snapshotGauges(f, snapshot)
                        : f.type() == Metric.Type.COUNTER ? counter(f, snapshot, counters) : gauge(f, gauges);
                samples.forEach((labels, value) -> sample(out, f.familyName(), f.labels(), labels, value));
            }
        }
        return out.toString();
    }

    // ---- samples per family ------------------------------------------------------------------

    private static Map<List<String>, Double> snapshotGauges(Metric f, StatusSnapshot s) {
        Map<List<String>, Double> out = new TreeMap<>(LABEL_ORDER);
        switch (f) {
            case BUILD_INFO -> out.put(List.of(s.version()), 1.0);
            case CHECK_UP -> {
                for (StatusSnapshot.Service svc : s.services()) {
                    for (StatusSnapshot.Check c : svc.checks()) {
                        out.put(List.of(svc.name(), c.name()), c.up() ? 1.0 : 0.0);
                    }
                }
            }
            case PREFIX_ANNOUNCED -> {
                for (StatusSnapshot.Service svc : s.services()) {
                    for (String p : svc.prefixes()) {
                        out.put(List.of(p), 0.0);
                    }
                }
                for (StatusSnapshot.Announced a : s.announced()) {
                    out.put(List.of(a.prefix()), 1.0);
                }
            }
            case PREFIX_EXPORTED -> {
                if (s.exports().known()) {
                    s.exports().prefixes().forEach((p, n) -> out.put(List.of(p), n.doubleValue()));
                }
            }
            case SERVICE_STATE -> {
                for (StatusSnapshot.Service svc : s.services()) {
                    for (ServiceState st : ServiceState.values()) {
                        out.put(List.of(svc.name(), st.label()), 0.0);
                    }
                    out.put(List.of(svc.name(), svc.state()), 1.0);
                }
            }
            default -> throw new IllegalStateException("no snapshot source for " + f.familyName());
        }
        return out;
    }

    /** The label sets a counter or histogram shows as 0 before its first event. */
    private static List<List<String>> zeros(Metric f, StatusSnapshot s) {
        List<List<String>> out = new ArrayList<>();
        String daemon = s.router() == null ? null : s.router().daemon();
        switch (f) {
            case CHECK_DURATION -> s.services().forEach(svc ->
                    svc.checks().forEach(c -> out.add(List.of(svc.name(), c.name()))));
            case CONFIG_RELOADS -> {
                out.add(List.of("error"));
                out.add(List.of("ok"));
            }
            case DRIFT_REPAIRS -> DRIFT_KINDS.forEach(k -> out.add(List.of(k)));
            case FLAP_HOLDS -> s.services().forEach(svc -> out.add(List.of(svc.name())));
            case ROUTER_APPLY_DURATION -> {
                if (daemon != null) {
                    out.add(List.of(daemon));
                }
            }
            case ROUTER_APPLIES -> {
                if (daemon != null) {
                    out.add(List.of(daemon, "error"));
                    out.add(List.of(daemon, "ok"));
                }
            }
            case TRANSITIONS -> {
                for (StatusSnapshot.Service svc : s.services()) {
                    for (ServiceState from : ServiceState.values()) {
                        for (ServiceState to : ServiceState.values()) {
                            if (from != to) {
                                out.add(List.of(svc.name(), from.label(), to.label()));
                            }
                        }
                    }
                }
            }
            default -> {
                // rhid_check_failures_total: its reason label is only known once a check fails
            }
        }
        return out;
    }

    private static Map<List<String>, Double> counter(Metric f, StatusSnapshot s, Map<Metrics.Key, Long> counters) {
        Map<List<String>, Double> out = new TreeMap<>(LABEL_ORDER);
        zeros(f, s).forEach(labels -> out.put(labels, 0.0));
        counters.forEach((key, value) -> {
            if (key.family() == f) {
                out.put(key.labels(), value.doubleValue());
            }
        });
        return out;
    }

    /** A gauge the loop sets; one without labels reads 0 until it is first set. */
    private static Map<List<String>, Double> gauge(Metric f, Map<Metrics.Key, Double> gauges) {
        Map<List<String>, Double> out = new TreeMap<>(LABEL_ORDER);
        if (f.labels().isEmpty()) {
            out.put(List.of(), 0.0);
        }
        gauges.forEach((key, value) -> {
            if (key.family() == f) {
                out.put(key.labels(), value);
            }
        });
        return out;
    }

    private static Map<List<String>, Metrics.HistogramView> histogram(Metric f, StatusSnapshot s,
                                                                      Map<Metrics.Key, Metrics.HistogramView> histograms) {
        Map<List<String>, Metrics.HistogramView> out = new TreeMap<>(LABEL_ORDER);
        zeros(f, s).forEach(labels -> out.put(labels, Metrics.emptyHistogram()));
        histograms.forEach((key, value) -> {
            if (key.family() == f) {
                out.put(key.labels(), value);
            }
        });
        return out;
    }

    private static void renderHistogram(StringBuilder out, Metric f, List<String> labels, Metrics.HistogramView h) {
        List<String> names = new ArrayList<>(f.labels());
        names.add("le");
        for (int i = 0; i < h.cumulative().length; i++) {
            List<String> values = new ArrayList<>(labels);
            values.add(i < h.bounds().length ? formatValue(h.bounds()[i]) : "+Inf");
            sample(out, f.familyName() + "_bucket", names, values, h.cumulative()[i]);
        }
        sample(out, f.familyName() + "_sum", f.labels(), labels, h.sum());
        sample(out, f.familyName() + "_count", f.labels(), labels, h.count());
    }

    // ---- text format -------------------------------------------------------------------------

    private static void sample(StringBuilder out, String name, List<String> labelNames, List<String> values, double value) {
        out.append(name);
        if (!labelNames.isEmpty()) {
            out.append('{');
            for (int i = 0; i < labelNames.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labelNames.get(i)).append("=\"");
                escapeLabelValue(out, values.get(i));
                out.append('"');
            }
            out.append('}');
        }
        out.append(' ').append(formatValue(value)).append('\n');
    }

    /** Label values escape backslash, double quote and line feed. */
    static void escapeLabelValue(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** Help text escapes only backslash and line feed. */
    static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /**
     * Integers without a fraction ({@code 3}), other values in plain decimal ({@code 0.0125}),
     * extremes in Java's exponent form (which Prometheus parses), and {@code +Inf}, {@code -Inf},
     * {@code NaN} as the format spells them.
     */
    static String formatValue(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        double abs = Math.abs(v);
        if (v == 0) {
            return "0";
        }
        if (abs < 1e-9 || abs >= 1e15) {
            return Double.toString(v);
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
