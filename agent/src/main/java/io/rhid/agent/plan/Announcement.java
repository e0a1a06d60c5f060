package io.rhid.agent.plan;

import io.rhid.agent.config.Attributes;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.health.ServiceState;
import java.util.List;
import java.util.Objects;

/**
 * One prefix rhid wants announced.
 *
 * @param state      the worst announced state among the services listing the prefix
 * @param attributes the BGP attributes of that state
 * @param services   the services listing the prefix, sorted
 */
public record Announcement(Prefix prefix, ServiceState state, Attributes attributes, List<String> services) {

    public Announcement {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(attributes, "attributes");
        services = List.copyOf(services);
    }
}
