package io.rhid.agent.plan;

import io.rhid.agent.config.Prefix;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the host should look like: the anycast addresses on the interface and the announcements in
 * the routing daemon. Sorted, immutable, compared with {@code equals} to decide whether anything
 * needs applying.
 */
public record DesiredState(SortedSet<Prefix> addresses, SortedMap<Prefix, Announcement> announcements) {

    /** Nothing announced and no addresses: what {@code withdraw-all} applies. */
    public static final DesiredState EMPTY = new DesiredState(new TreeSet<>(), new TreeMap<>());

    public DesiredState {
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(announcements, "announcements");
        addresses = Collections.unmodifiableSortedSet(new TreeSet<>(addresses));
        announcements = Collections.unmodifiableSortedMap(new TreeMap<>(announcements));
    }
}
