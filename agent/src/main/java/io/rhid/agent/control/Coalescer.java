package io.rhid.agent.control;

import io.rhid.agent.config.CheckConfig;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.agent.health.CheckRecord;
import io.rhid.agent.schedule.CheckKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Holds back the apply after a check confirmed down while checks linked to it (the same endpoint)
 * are still confirming: the alert its first failure sent them is in flight or their own {@code fall}
 * is nearly reached, so their confirmations are a few milliseconds away. A server's death under
 * many services then becomes one apply instead of several. The hold lasts until those checks have
 * confirmed (or passed), at most 2 x the confirming check's {@code fast_interval}; a lone failure,
 * or one whose linked checks have all confirmed with it, is applied at once. Confined to the
 * control loop's thread.
 */
final class Coalescer {

    /** A check's endpoint and how long a hold for it may last. */
    private record Link(String endpoint, long boundNanos) {
    }

    private Map<CheckKey, Link> links = Map.of();
    private Map<String, List<CheckKey>> byEndpoint = Map.of();
    /** Linked checks still confirming, each with when the alert that concerns it went out. */
    private final Map<CheckKey, Long> waiting = new HashMap<>();
    /** When the hold ends at the latest (ticker time); 0 while not holding. */
    private long untilNanos;

    /** Learns which checks are linked, from the running config (at start and after a reload). */
    void configure(RhidConfig config) {
        Map<CheckKey, Link> l = new HashMap<>();
        Map<String, List<CheckKey>> e = new HashMap<>();
        for (ServiceConfig s : config.services().values()) {
            for (CheckConfig c : s.checks()) {
                CheckKey key = new CheckKey(s.name(), c.name());
                l.put(key, new Link(c.spec().endpoint(), 2 * c.timing().fastInterval().toNanos()));
                e.computeIfAbsent(c.spec().endpoint(), x -> new ArrayList<>()).add(key);
            }
        }
        links = l;
        byEndpoint = e;
        waiting.keySet().retainAll(l.keySet());
    }

    /**
     * A check has just confirmed down: holds the apply for its linked checks that are still
     * confirming, if there are any.
     *
     * @return how many linked checks the apply now waits for
     */
    int confirmedDown(CheckKey key, Function<CheckKey, CheckRecord> records, long nowNanos) {
        Link link = links.get(key);
        CheckRecord record = records.apply(key);
        if (link == null || record == null) {
            return 0;
        }
        // The scheduler alerted the linked checks at the first failure of this run of failures.
        long alertAt = record.failingSinceNanos() == 0 ? record.finishedNanos() : record.failingSinceNanos();
        int added = 0;
        for (CheckKey sibling : byEndpoint.getOrDefault(link.endpoint(), List.of())) {
            if (!sibling.equals(key) && confirming(records.apply(sibling), alertAt)) {
                waiting.merge(sibling, alertAt, Math::min);
                added++;
            }
        }
        if (added > 0 && untilNanos == 0) {
            // The bound is not extended by later confirmations: the wait stays bounded.
            untilNanos = nowNanos + link.boundNanos();
        }
        return waiting.size();
    }

    /** Whether the apply is still held at {@code nowNanos}; ends the hold once nothing is awaited. */
    boolean holding(Function<CheckKey, CheckRecord> records, long nowNanos) {
        if (untilNanos == 0) {
            return false;
        }
        waiting.entrySet().removeIf(w -> !confirming(records.apply(w.getKey()), w.getValue()));
        if (waiting.isEmpty() || nowNanos >= untilNanos) {
            waiting.clear();
            untilNanos = 0;
            return false;
        }
        return true;
    }

    /** When the hold ends at the latest; {@link Long#MAX_VALUE} while not holding. */
    long nextDeadline() {
        return untilNanos == 0 ? Long.MAX_VALUE : untilNanos;
    }

    /**
     * Up, and either failing towards its {@code fall} or without a result since the alert went out
     * (its alert run is in flight).
     */
    private static boolean confirming(CheckRecord r, long alertAt) {
        return r != null && r.health().up() && (r.health().confirming() || r.finishedNanos() < alertAt);
    }
}
