package io.rhid.agent.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One anycast service: the prefixes it announces while its checks satisfy its policy.
 *
 * @param prefixes  sorted and unique
 * @param drainHold how long a draining service stays announced with the draining attributes
 * @param onChange  a command (argv, no shell) run after each state change of the service is
 *                  applied; empty for none
 */
public record ServiceConfig(String name, List<Prefix> prefixes, Policy policy, Announce announce,
                            Duration drainHold, List<CheckConfig> checks, List<String> onChange) {

    public ServiceConfig {
        Objects.requireNonNull(name, "name");
        prefixes = List.copyOf(new java.util.TreeSet<>(prefixes));
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(announce, "announce");
        Objects.requireNonNull(drainHold, "drainHold");
        checks = List.copyOf(checks);
        onChange = List.copyOf(onChange);
    }
}
