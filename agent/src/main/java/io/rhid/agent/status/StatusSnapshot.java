package io.rhid.agent.status;

import java.util.List;
import java.util.Map;

/**
 * What {@code /status} and {@code rhid status} show: an immutable picture of the daemon at one
 * moment. Field names are the JSON keys (snake_case on output).
 */
public record StatusSnapshot(String version, long generatedAtMillis, String config, List<Service> services,
                             List<Announced> announced, Router router, Exports exports) {

    public StatusSnapshot {
        services = List.copyOf(services);
        announced = List.copyOf(announced);
        exports = exports == null ? Exports.UNKNOWN : exports;
    }

    /** A snapshot without the routing daemon's exports (not asked yet). */
    public StatusSnapshot(String version, long generatedAtMillis, String config, List<Service> services,
                          List<Announced> announced, Router router) {
        this(version, generatedAtMillis, config, services, announced, router, null);
    }

    /** One service: its state since when, why, and its checks. */
    public record Service(String name, String state, long sinceMillis, String reason, String policy,
                          List<String> prefixes, List<Check> checks) {
        public Service {
            prefixes = List.copyOf(prefixes);
            checks = List.copyOf(checks);
        }
    }

    /**
     * One check. {@code lastResult} is {@code pass}, {@code fail}, or {@code pending} before its
     * first run.
     */
    public record Check(String name, String type, String target, boolean up, String lastResult, String reason,
                        double latencyMs, long lastRunMillis, int consecutivePasses, int consecutiveFailures,
                        String interval, String fastInterval, String timeout, int rise, int fall) {
    }

    /**
     * One announced prefix with the attributes it carries, and {@code exportedTo}: how many
     * established BGP sessions the routing daemon exports it to, by its last answer (null while
     * unknown: not asked yet, or the last question failed).
     */
    public record Announced(String prefix, String state, List<String> services, List<String> communities,
                            List<String> largeCommunities, Long med, int prepend, Integer exportedTo) {
        public Announced {
            services = List.copyOf(services);
            communities = List.copyOf(communities);
            largeCommunities = List.copyOf(largeCommunities);
        }

        /** An announcement whose exports are not known. */
        public Announced(String prefix, String state, List<String> services, List<String> communities,
                         List<String> largeCommunities, Long med, int prepend) {
            this(prefix, state, services, communities, largeCommunities, med, prepend, null);
        }
    }

    /**
     * The last answer of the routing daemon to "what do you export": when ({@code 0}: never), how
     * long it took, its established BGP sessions, per configured prefix how many of them export it
     * (empty while unknown), and the error while the last question failed.
     */
    public record Exports(long queriedAtMillis, double durationMs, List<String> sessions, Map<String, Integer> prefixes,
                          String error) {
        public static final Exports UNKNOWN = new Exports(0, 0, List.of(), Map.of(), null);

        public Exports {
            sessions = List.copyOf(sessions);
            prefixes = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(prefixes));
        }

        /** Whether the last question was answered: then {@link #prefixes} is the truth. */
        public boolean known() {
            return queriedAtMillis > 0 && error == null;
        }
    }

    /**
     * The routing daemon: the last apply's result ({@code ok}, {@code error}, or {@code pending}
     * before the first), when, how long it took, and the error while the last attempt failed.
     */
    public record Router(String daemon, String lastResult, long lastApplyMillis, double lastDurationMs, String error,
                         long nextRetryMillis, long driftRepairs) {
    }
}
