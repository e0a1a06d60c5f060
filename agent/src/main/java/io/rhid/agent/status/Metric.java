package io.rhid.agent.status;

import java.util.List;
import java.util.Locale;

/**
 * Every metric family rhid exposes, declared once: name, type, where its samples come from, label
 * names in order, and help text. Code records into {@link Metrics} through these constants, so a
 * misspelt family is a compile error rather than a series silently never exposed. Constants are
 * in name order, the order {@link PrometheusText} renders them in.
 */
public enum Metric {
    BUILD_INFO("rhid_build_info", Type.GAUGE, Source.SNAPSHOT, List.of("version"),
            "rhid's version; always 1."),
    CHECK_DURATION("rhid_check_duration_seconds", Type.HISTOGRAM, Source.METRICS, List.of("service", "check"),
            "How long check runs took, including failed and timed-out runs."),
    CHECK_FAILURES("rhid_check_failures_total", Type.COUNTER, Source.METRICS, List.of("service", "check", "reason"),
            "Failed check runs, by reason class (the leading words of the failure reason)."),
    CHECK_UP("rhid_check_up", Type.GAUGE, Source.SNAPSHOT, List.of("service", "check"),
            "1 while the check is up (it has risen and not yet fallen), else 0."),
    CONFIG_LAST_RELOAD_SUCCESS("rhid_config_last_reload_success_timestamp_seconds", Type.GAUGE, Source.METRICS, List.of(),
            "When the running config was last loaded successfully (at start or by a reload), in Unix seconds."),
    CONFIG_RELOADS("rhid_config_reload_total", Type.COUNTER, Source.METRICS, List.of("result"),
            "Config reloads (SIGHUP or rhid reload), by result (ok or error)."),
    DRIFT_REPAIRS("rhid_drift_repairs_total", Type.COUNTER, Source.METRICS, List.of("kind"),
            "Differences between the applied state and the routing daemon or interface that rhid repaired."),
    FLAP_HOLDS("rhid_flap_holds_total", Type.COUNTER, Source.METRICS, List.of("service"),
            "Times a service was held withdrawn by flap damping (too many state changes within flap.window)."),
    PREFIX_ANNOUNCED("rhid_prefix_announced", Type.GAUGE, Source.SNAPSHOT, List.of("prefix"),
            "1 while rhid announces the prefix, 0 for a configured prefix it does not announce."),
    PREFIX_EXPORTED("rhid_prefix_exported", Type.GAUGE, Source.SNAPSHOT, List.of("prefix"),
            "Established BGP sessions the routing daemon exports the prefix to, by its last answer "
            + "(absent while the daemon cannot be asked)."),
    ROUTER_APPLY_DURATION("rhid_router_apply_duration_seconds", Type.HISTOGRAM, Source.METRICS, List.of("daemon"),
            "How long applying a change to the routing daemon took, successful or not."),
    ROUTER_APPLIES("rhid_router_apply_total", Type.COUNTER, Source.METRICS, List.of("daemon", "result"),
            "Attempts to apply a change to the routing daemon, by result (ok or error)."),
    ROUTER_LAST_APPLY_SUCCESS("rhid_router_last_apply_success_timestamp_seconds", Type.GAUGE, Source.METRICS, List.of(),
            "When the routing daemon last applied a change successfully, in Unix seconds; 0 before the first."),
    SERVICE_STATE("rhid_service_state", Type.GAUGE, Source.SNAPSHOT, List.of("service", "state"),
            "1 for the service's current state, 0 for its other states."),
    START_TIME("rhid_start_time_seconds", Type.GAUGE, Source.METRICS, List.of(),
            "When this rhid started, in Unix seconds."),
    TRANSITIONS("rhid_transitions_total", Type.COUNTER, Source.METRICS, List.of("service", "from", "to"),
            "Service state changes.");

    /** The Prometheus metric type. */
    public enum Type {
        GAUGE, COUNTER, HISTOGRAM;

        String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Where a family's samples come from: the status snapshot, or what was recorded into {@link Metrics}. */
    public enum Source { SNAPSHOT, METRICS }

    private final String familyName;
    private final Type type;
    private final Source source;
    private final List<String> labels;
    private final String help;

    Metric(String familyName, Type type, Source source, List<String> labels, String help) {
        this.familyName = familyName;
        this.type = type;
        this.source = source;
        this.labels = List.copyOf(labels);
        this.help = help;
    }

    /** The exposed name, such as {@code rhid_transitions_total}. */
    public String familyName() {
        return familyName;
    }

    public Type type() {
        return type;
    }

    public Source source() {
        return source;
    }

    /** Label names, in the order label values are given when recording. */
    public List<String> labels() {
        return labels;
    }

    public String help() {
        return help;
    }
}
