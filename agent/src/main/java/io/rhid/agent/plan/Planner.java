package io.rhid.agent.plan;

import io.rhid.agent.config.Announce;
import io.rhid.agent.config.Attributes;
import io.rhid.agent.config.Community;
import io.rhid.agent.config.LargeCommunity;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.agent.health.ServiceState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns service states into the desired host state. Pure and deterministic: the same config and
 * states always give an equal {@link DesiredState}.
 *
 * <p>A prefix listed by several services is announced only while every one of them is announced,
 * with the attributes of the worst state among them (up, then degraded, then draining); services
 * tied at that state contribute all their communities, the highest MED and the longest prepend.
 * Addresses: with {@code addresses.manage}, every service prefix is kept on the interface, or
 * only the announced ones when {@code remove_when_down} is set.
 */
public final class Planner {

    private Planner() {
    }

    /** The desired state; a service missing from {@code states} counts as down. */
    public static DesiredState plan(RhidConfig config, Map<String, ServiceState> states) {
        SortedMap<Prefix, List<ServiceConfig>> byPrefix = new TreeMap<>();
        for (ServiceConfig s : config.services().values()) {
            for (Prefix p : s.prefixes()) {
                byPrefix.computeIfAbsent(p, k -> new ArrayList<>()).add(s);
            }
        }
        SortedMap<Prefix, Announcement> announcements = new TreeMap<>();
        for (Map.Entry<Prefix, List<ServiceConfig>> e : byPrefix.entrySet()) {
            announcement(e.getKey(), e.getValue(), states).ifPresent(a -> announcements.put(a.prefix(), a));
        }
        TreeSet<Prefix> addresses = new TreeSet<>();
        if (config.addresses().manage()) {
            addresses.addAll(config.addresses().removeWhenDown() ? announcements.keySet() : byPrefix.keySet());
        }
        return new DesiredState(addresses, announcements);
    }

    private static java.util.Optional<Announcement> announcement(Prefix prefix, List<ServiceConfig> services,
                                                                 Map<String, ServiceState> states) {
        ServiceState worst = ServiceState.UP;
        for (ServiceConfig s : services) {
            ServiceState state = states.getOrDefault(s.name(), ServiceState.DOWN);
            if (!state.announced()) {
                return java.util.Optional.empty();
            }
            if (state.compareTo(worst) > 0) {
                worst = state;
            }
        }
        List<Attributes> tied = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (ServiceConfig s : services) {
            names.add(s.name());
            if (states.get(s.name()) == worst) {
                tied.add(attributes(s.announce(), worst));
            }
        }
        names.sort(null);
        return java.util.Optional.of(new Announcement(prefix, worst, merge(tied), names));
    }

    static Attributes attributes(Announce announce, ServiceState state) {
        return switch (state) {
            case UP -> announce.up();
            case DEGRADED -> announce.degraded();
            case DRAINING -> announce.draining();
            default -> throw new IllegalArgumentException(state + " is not announced");
        };
    }

    private static Attributes merge(List<Attributes> all) {
        if (all.size() == 1) {
            return all.get(0);
        }
        List<Community> communities = new ArrayList<>();
        List<LargeCommunity> large = new ArrayList<>();
        OptionalLong med = OptionalLong.empty();
        int prepend = 0;
        for (Attributes a : all) {
            communities.addAll(a.communities());
            large.addAll(a.largeCommunities());
            if (a.med().isPresent() && (med.isEmpty() || a.med().getAsLong() > med.getAsLong())) {
                med = a.med();
            }
            prepend = Math.max(prepend, a.prepend());
        }
        return new Attributes(communities, large, med, prepend);
    }
}
