package io.rhid.agent.status;

import io.rhid.agent.health.ServiceState;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders rhid's metrics in the Prometheus text exposition format 0.0.4: the gauges from a
 * {@link StatusSnapshot}, the counters and summaries from {@link Metrics}. Pure and
 * byte-deterministic: families in name order, samples in label-value order.
 *
 * <p>{@link #FAMILIES} is the one table of what rhid exposes. The control loop records into
 * {@link Metrics} under a family's name (a summary's as {@code NAME_count} and {@code NAME_sum},
 * see {@link Metrics#observe}) with label values in the order listed here; keys of other names or
 * with a different number of labels are not exposed.
 */
public final class PrometheusText {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    enum Type {
        GAUGE, COUNTER, SUMMARY;

        String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Where a family's samples come from. */
    enum Source { SNAPSHOT, METRICS }

    /** One metric family: name, type, label names in order, and its help text. */
    record Family(String name, Type type, Source source, List<String> labels, String help) {
        Family {
            labels = List.copyOf(labels);
        }
    }

    /** Every family rhid exposes, in name order (the order they are rendered in). */
    static final List<Family> FAMILIES = List.of(
            new Family("rhid_build_info", Type.GAUGE, Source.SNAPSHOT, List.of("version"),
                    "rhid's version; always 1."),
            new Family("rhid_check_duration_seconds", Type.SUMMARY, Source.METRICS, List.of("service", "check"),
                    "How long check runs took, including failed and timed-out runs."),
            new Family("rhid_check_failures_total", Type.COUNTER, Source.METRICS, List.of("service", "check", "reason"),
                    "Failed check runs, by reason class (the leading words of the failure reason)."),
            new Family("rhid_check_up", Type.GAUGE, Source.SNAPSHOT, List.of("service", "check"),
                    "1 while the check is up (it has risen and not yet fallen), else 0."),
            new Family("rhid_drift_repairs_total", Type.COUNTER, Source.METRICS, List.of("kind"),
                    "Differences between the applied state and the routing daemon or interface that rhid repaired."),
            new Family("rhid_flap_holds_total", Type.COUNTER, Source.METRICS, List.of("service"),
                    "Times a service was held withdrawn by flap damping (too many state changes within flap.window)."),
            new Family("rhid_prefix_announced", Type.GAUGE, Source.SNAPSHOT, List.of("prefix"),
                    "1 while rhid announces the prefix, 0 for a configured prefix it does not announce."),
            new Family("rhid_router_apply_duration_seconds", Type.SUMMARY, Source.METRICS, List.of("daemon"),
                    "How long applying a change to the routing daemon took, successful or not."),
            new Family("rhid_router_apply_total", Type.COUNTER, Source.METRICS, List.of("daemon", "result"),
                    "Attempts to apply a change to the routing daemon, by result (ok or error)."),
            new Family("rhid_service_state", Type.GAUGE, Source.SNAPSHOT, List.of("service", "state"),
                    "1 for the service's current state, 0 for its other states."),
            new Family("rhid_transitions_total", Type.COUNTER, Source.METRICS, List.of("service", "from", "to"),
                    "Service state changes."));

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

    /** The whole exposition, ending in a newline. */
    public static String render(StatusSnapshot snapshot, Metrics metrics) {
        // Read each map once, so a summary's _sum and _count come from the same moment.
        Map<Metrics.Key, Long> counters = metrics.counters();
        Map<Metrics.Key, Double> sums = metrics.sums();
        StringBuilder out = new StringBuilder(4096);
        for (Family f : FAMILIES) {
            out.append("# HELP ").append(f.name()).append(' ').append(escapeHelp(f.help())).append('\n');
            out.append("# TYPE ").append(f.name()).append(' ').append(f.type().text()).append('\n');
            if (f.type() == Type.SUMMARY) {
                renderSummary(out, f, summary(f, snapshot, counters, sums));
            } else {
                Map<List<String>, Double> samples = f.source() == Source.SNAPSHOT ? gauges(f, snapshot)
                        : counter(f, snapshot, counters);
                samples.forEach((labels, value) -> sample(out, f.name(), f.labels(), labels, value));
            }
        }
        return out.toString();
    }

    // ---- samples per family ------------------------------------------------------------------

    private static Map<List<String>, Double> gauges(Family f, StatusSnapshot s) {
        Map<List<String>, Double> out = new TreeMap<>(LABEL_ORDER);
        switch (f.name()) {
            case "rhid_build_info" -> out.put(List.of(s.version()), 1.0);
            case "rhid_check_up" -> {
                for (StatusSnapshot.Service svc : s.services()) {
                    for (StatusSnapshot.Check c : svc.checks()) {
                        out.put(List.of(svc.name(), c.name()), c.up() ? 1.0 : 0.0);
                    }
                }
            }
            case "rhid_prefix_announced" -> {
                for (StatusSnapshot.Service svc : s.services()) {
                    for (String p : svc.prefixes()) {
                        out.put(List.of(p), 0.0);
                    }
                }
                for (StatusSnapshot.Announced a : s.announced()) {
                    out.put(List.of(a.prefix()), 1.0);
                }
            }
            case "rhid_service_state" -> {
                for (StatusSnapshot.Service svc : s.services()) {
                    for (ServiceState st : ServiceState.values()) {
                        out.put(List.of(svc.name(), st.label()), 0.0);
                    }
                    out.put(List.of(svc.name(), svc.state()), 1.0);
                }
            }
            default -> throw new IllegalStateException("no snapshot source for " + f.name());
        }
        return out;
    }

    private static Map<List<String>, Double> counter(Family f, StatusSnapshot s, Map<Metrics.Key, Long> counters) {
        Map<List<String>, Double> out = new TreeMap<>(LABEL_ORDER);
        if (f.name().equals("rhid_router_apply_total") && s.router() != null) {
            // Both results exist from the start, so increase(...{result="error"}[5m]) sees the first error.
            out.put(List.of(s.router().daemon(), "ok"), 0.0);
            out.put(List.of(s.router().daemon(), "error"), 0.0);
        }
        counters.forEach((key, value) -> {
            if (key.name().equals(f.name()) && key.labels().size() == f.labels().size()) {
                out.put(key.labels(), value.doubleValue());
            }
        });
        return out;
    }

    /** Per label set: {sum, count}. */
    private static Map<List<String>, double[]> summary(Family f, StatusSnapshot s, Map<Metrics.Key, Long> counters,
                                                    Map<Metrics.Key, Double> sums) {
        Map<List<String>, double[]> out = new TreeMap<>(LABEL_ORDER);
        // Every known check and the daemon start at zero, so rate() works from the first scrape.
        if (f.name().equals("rhid_check_duration_seconds")) {
            for (StatusSnapshot.Service svc : s.services()) {
                for (StatusSnapshot.Check c : svc.checks()) {
                    out.put(List.of(svc.name(), c.name()), new double[2]);
                }
            }
        } else if (f.name().equals("rhid_router_apply_duration_seconds") && s.router() != null) {
            out.put(List.of(s.router().daemon()), new double[2]);
        }
        String sumName = f.name() + "_sum";
        String countName = f.name() + "_count";
        sums.forEach((key, value) -> {
            if (key.name().equals(sumName) && key.labels().size() == f.labels().size()) {
                out.computeIfAbsent(key.labels(), k -> new double[2])[0] = value;
            }
        });
        counters.forEach((key, value) -> {
            if (key.name().equals(countName) && key.labels().size() == f.labels().size()) {
                out.computeIfAbsent(key.labels(), k -> new double[2])[1] = value;
            }
        });
        return out;
    }

    private static void renderSummary(StringBuilder out, Family f, Map<List<String>, double[]> samples) {
        samples.forEach((labels, sumCount) -> {
            sample(out, f.name() + "_sum", f.labels(), labels, sumCount[0]);
            sample(out, f.name() + "_count", f.labels(), labels, sumCount[1]);
        });
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
