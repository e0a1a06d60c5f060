package io.rhid.agent.health;

import java.util.HashSet;
import java.util.Set;

/**
 * Services whose checks a reload added or changed: until every new check has had {@code rise}
 * results, they are judged by their ready checks, so a reload never withdraws a healthy service
 * while its new checks rise. Has no deadline: it ends with results. Confined to the loop's thread.
 */
public final class ReloadHold implements Overlay {

    private final Set<String> held = new HashSet<>();

    @Override
    public long nextDeadline() {
        return Long.MAX_VALUE;
    }

    public void hold(String service) {
        held.add(service);
    }

    public void release(String service) {
        held.remove(service);
    }

    public boolean holds(String service) {
        return held.contains(service);
    }
}
