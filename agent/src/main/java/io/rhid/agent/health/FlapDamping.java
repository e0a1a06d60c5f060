package io.rhid.agent.health;

import io.rhid.agent.config.RhidConfig;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Flap damping: a service whose health-driven state changed more than {@code flap.max_changes}
 * times within {@code flap.window} is held withdrawn for {@code flap.hold}. Confined to the control
 * loop's thread.
 */
public final class FlapDamping implements Overlay {

    /** Per service, when its recent health-driven state changes happened. */
    private final Map<String, ArrayDeque<Long>> changes = new HashMap<>();
    /** Services held withdrawn, until when (ticker time). */
    private final Map<String, Long> heldUntil = new HashMap<>();

    @Override
    public long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (long until : heldUntil.values()) {
            next = Math.min(next, until);
        }
        return next;
    }

    /** Services whose hold has run out by {@code nowNanos}. */
    public Set<String> dueServices(long nowNanos) {
        Set<String> out = new TreeSet<>();
        heldUntil.forEach((name, until) -> {
            if (nowNanos >= until) {
                out.add(name);
            }
        });
        return out;
    }

    /** Until when the service is held, or null. */
    Long heldUntil(String service) {
        return heldUntil.get(service);
    }

    /** Ends a hold (run out, or released by an operator); true if there was one. */
    public boolean release(String service) {
        if (heldUntil.remove(service) == null) {
            return false;
        }
        changes.remove(service);
        return true;
    }

    /** Forgets a removed service, so one added again later starts afresh, not as a flapping one. */
    public void forget(String service) {
        heldUntil.remove(service);
        changes.remove(service);
    }

    /** Records a health-driven change; starts and returns a hold when it is one change too many, else null. */
    Long recordChange(String service, RhidConfig.Flap flap, long nowNanos) {
        if (!flap.enabled()) {
            return null;
        }
        ArrayDeque<Long> times = changes.computeIfAbsent(service, n -> new ArrayDeque<>());
        times.addLast(nowNanos);
        long windowStart = nowNanos - flap.window().toNanos();
        while (!times.isEmpty() && times.peekFirst() < windowStart) {
            times.removeFirst();
        }
        if (times.size() <= flap.maxChanges()) {
            return null;
        }
        long until = nowNanos + flap.hold().toNanos();
        heldUntil.put(service, until);
        return until;
    }
}
