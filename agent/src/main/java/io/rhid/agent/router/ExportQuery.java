package io.rhid.agent.router;

import io.rhid.agent.config.Prefix;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Asks the routing daemon what it really sends to its BGP peers: per prefix, how many established
 * sessions export it, after the daemon's own filters and next-hop checks. Stateless; called from
 * a thread of its own (never the control loop's), so it may take up to its commands' time limits.
 */
@FunctionalInterface
public interface ExportQuery {

    /** For daemons rhid cannot ask: no sessions known, nothing reported. */
    ExportQuery NONE = () -> null;

    /**
     * What the daemon exports now, or null when this daemon cannot say.
     *
     * @throws ApplyException when the daemon cannot be asked or its reply cannot be read
     */
    Exports query() throws ApplyException;

    /**
     * One answer.
     *
     * @param sessions the established BGP sessions, as the daemon names them
     * @param counts   per prefix exported to at least one of them, how many; absent means none
     */
    record Exports(List<String> sessions, SortedMap<Prefix, Integer> counts) {
        public Exports {
            sessions = List.copyOf(sessions);
            counts = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(counts));
        }

        /** How many established sessions export {@code prefix}. */
        public int count(Prefix prefix) {
            return counts.getOrDefault(prefix, 0);
        }

        public static Exports of(List<String> sessions, Map<Prefix, Integer> counts) {
            return new Exports(sessions, new TreeMap<>(counts));
        }
    }
}
