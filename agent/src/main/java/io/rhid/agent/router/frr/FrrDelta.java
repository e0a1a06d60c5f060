package io.rhid.agent.router.frr;

import io.rhid.agent.config.Prefix;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What must change in bgpd's running config to turn rhid's lines there into a desired state.
 * Computed from FRR's running config by the applier, rendered as one vtysh batch by
 * {@link FrrSyntax#batch}.
 *
 * @param instance        the {@code router bgp} instance rhid announces from
 * @param routeMaps       rhid route-maps to create or edit, by name
 * @param announce        {@code network P route-map NAME} lines to add, re-point or re-issue in
 *                        {@code instance} (re-issuing makes bgpd apply an edited route-map at once
 *                        instead of after its route-map delay timer)
 * @param withdraw        rhid's {@code network} lines to remove, per instance (other instances
 *                        hold only leftovers, e.g. after {@code router.frr.asn} changed)
 * @param deleteRouteMaps rhid route-maps nothing will use any more
 * @param conflicts       desired prefixes the operator already configured with a {@code network}
 *                        line of their own; rhid leaves those lines alone and reports them
 */
record FrrDelta(BgpInstance instance, SortedMap<String, RouteMapEdit> routeMaps, SortedMap<Prefix, String> announce,
                       SortedMap<BgpInstance, SortedSet<Prefix>> withdraw, SortedSet<String> deleteRouteMaps,
                       SortedSet<Prefix> conflicts) {

    /**
     * How one rhid route-map changes.
     *
     * @param create        whether the route-map does not exist yet
     * @param lines         the lines to run inside {@code route-map NAME permit 10}: {@code no ...}
     *                      lines removing what does not belong, then the {@code set} lines
     * @param deleteEntries other entries of the route-map to delete: sequence number to action
     */
    record RouteMapEdit(boolean create, List<String> lines, SortedMap<Integer, String> deleteEntries) {
        public RouteMapEdit {
            lines = List.copyOf(lines);
            deleteEntries = Collections.unmodifiableSortedMap(new TreeMap<>(deleteEntries));
        }
    }

    public FrrDelta {
        Objects.requireNonNull(instance, "instance");
        routeMaps = Collections.unmodifiableSortedMap(new TreeMap<>(routeMaps));
        announce = Collections.unmodifiableSortedMap(new TreeMap<>(announce));
        TreeMap<BgpInstance, SortedSet<Prefix>> w = new TreeMap<>();
        withdraw.forEach((k, v) -> {
            if (!v.isEmpty()) {
                w.put(k, Collections.unmodifiableSortedSet(new TreeSet<>(v)));
            }
        });
        withdraw = Collections.unmodifiableSortedMap(w);
        deleteRouteMaps = Collections.unmodifiableSortedSet(new TreeSet<>(deleteRouteMaps));
        conflicts = Collections.unmodifiableSortedSet(new TreeSet<>(conflicts));
    }

    /** Whether bgpd already holds exactly rhid's desired lines (conflicts aside). */
    public boolean isEmpty() {
        return routeMaps.isEmpty() && announce.isEmpty() && withdraw.isEmpty() && deleteRouteMaps.isEmpty();
    }

    /** How many {@code network} lines are removed, over all instances. */
    public int withdrawCount() {
        return withdraw.values().stream().mapToInt(SortedSet::size).sum();
    }

    public long createdRouteMaps() {
        return routeMaps.values().stream().filter(RouteMapEdit::create).count();
    }

    public long editedRouteMaps() {
        return routeMaps.values().stream().filter(e -> !e.create()).count();
    }

    /** A one-line summary such as {@code networks +2 -1, route-maps +1 ~0 -1}. */
    public String summary() {
        return "networks +" + announce.size() + " -" + withdrawCount() + ", route-maps +" + createdRouteMaps() + " ~"
                + editedRouteMaps() + " -" + deleteRouteMaps.size();
    }
}
