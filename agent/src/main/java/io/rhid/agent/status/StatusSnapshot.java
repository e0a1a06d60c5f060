package io.rhid.agent.status;

import java.util.List;

/**
 * What {@code /status} and {@code rhid status} show: an immutable picture of the daemon at one
 * moment. Field names are the JSON keys (snake_case on output).
 */
public record StatusSnapshot(String version, long generatedAtMillis, String config, List<Service> services,
                             List<Announced> announced, Router router) {

    public StatusSnapshot {
        services = List.copyOf(services);
        announced = List.copyOf(announced);
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

    /** One announced prefix with the attributes it carries. */
    public record Announced(String prefix, String state, List<String> services, List<String> communities,
                            List<String> largeCommunities, Long med, int prepend) {
        public Announced {
            services = List.copyOf(services);
            communities = List.copyOf(communities);
            largeCommunities = List.copyOf(largeCommunities);
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
