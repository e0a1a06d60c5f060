package io.rhid.agent.health;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Drains an operator requested: a draining service is announced with its draining attributes until
 * its {@code drain_hold} ends, then withdrawn until resumed. Only the in-memory state; the control
 * package persists it. Confined to the control loop's thread.
 */
public final class DrainHold implements Overlay {

    /**
     * One drain.
     *
     * @param sinceMillis   when it was requested (wall clock, for status)
     * @param holdEndsNanos when the draining announcement ends and the service is withdrawn
     * @param done          whether the service has been withdrawn (it stays so until resumed)
     */
    public record Drain(long sinceMillis, long holdEndsNanos, boolean done) {
    }

    private final Map<String, Drain> drains = new TreeMap<>();

    @Override
    public long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Drain d : drains.values()) {
            if (!d.done()) {
                next = Math.min(next, d.holdEndsNanos());
            }
        }
        return next;
    }

    /** Services whose draining announcement has run out by {@code nowNanos}. */
    public Set<String> dueServices(long nowNanos) {
        Set<String> out = new TreeSet<>();
        drains.forEach((name, d) -> {
            if (!d.done() && nowNanos >= d.holdEndsNanos()) {
                out.add(name);
            }
        });
        return out;
    }

    public Drain get(String service) {
        return drains.get(service);
    }

    /** Drained or draining services, in name order; a live view. */
    public Set<String> names() {
        return drains.keySet();
    }

    public void put(String service, Drain drain) {
        drains.put(service, drain);
    }

    /** Forgets the drain; true if there was one. */
    public boolean remove(String service) {
        return drains.remove(service) != null;
    }

    /** Marks a drain done (withdrawn). */
    void done(String service) {
        Drain d = drains.get(service);
        if (d != null && !d.done()) {
            drains.put(service, new Drain(d.sinceMillis(), d.holdEndsNanos(), true));
        }
    }
}
