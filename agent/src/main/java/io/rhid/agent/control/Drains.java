package io.rhid.agent.control;

import io.rhid.agent.router.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services an operator drained, kept in {@code STATE_DIR/drained} so a drain survives restarts
 * of rhid and config reloads. Confined to the control loop's thread.
 */
final class Drains {

    private static final Logger log = LoggerFactory.getLogger(Drains.class);

    /**
     * One drain.
     *
     * @param sinceMillis   when it was requested (wall clock, for status)
     * @param holdEndsNanos when the draining announcement ends and the service is withdrawn
     * @param done          whether the service has been withdrawn (it stays so until resumed)
     */
    record Drain(long sinceMillis, long holdEndsNanos, boolean done) {
    }

    private final Path file;
    private final Map<String, Drain> drains = new TreeMap<>();

    Drains(Path stateDir) {
        this.file = stateDir.resolve("drained");
    }

    /** Loads drains persisted by an earlier run: those services start withdrawn. */
    void load(Collection<String> services, long nowMillis) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#") && services.contains(name)) {
                    drains.put(name, new Drain(nowMillis, 0, true));
                }
            }
        } catch (IOException e) {
            log.error("cannot read {}: {}; no service starts drained", file, e.toString());
        }
        if (!drains.isEmpty()) {
            log.info("drained by an operator before this start, and kept withdrawn: {}", String.join(", ", drains.keySet()));
        }
    }

    Drain get(String service) {
        return drains.get(service);
    }

    Set<String> names() {
        return drains.keySet();
    }

    /** Records a drain; returns an error message if it could not be persisted (it still applies). */
    String put(String service, Drain drain) {
        drains.put(service, drain);
        return save();
    }

    /** Marks a drain done (withdrawn); only the in-memory state changes. */
    void done(String service) {
        Drain d = drains.get(service);
        if (d != null && !d.done()) {
            drains.put(service, new Drain(d.sinceMillis(), d.holdEndsNanos(), true));
        }
    }

    String remove(String service) {
        return drains.remove(service) == null ? null : save();
    }

    /** Forgets drains of services that no longer exist. */
    void retain(Collection<String> services) {
        if (drains.keySet().retainAll(services)) {
            save();
        }
    }

    /** The earliest end of a hold still running, or {@link Long#MAX_VALUE}. */
    long nextHoldEnd() {
        long next = Long.MAX_VALUE;
        for (Drain d : drains.values()) {
            if (!d.done()) {
                next = Math.min(next, d.holdEndsNanos());
            }
        }
        return next;
    }

    private String save() {
        StringBuilder s = new StringBuilder("# Services drained with `rhid drain`; `rhid resume` clears them. Written by rhid.\n");
        drains.keySet().forEach(n -> s.append(n).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, s.toString());
            return null;
        } catch (IOException e) {
            log.error("cannot write {}: {}; the drain applies until rhid restarts", file, e.toString());
            return "cannot write " + file + ": " + e.getMessage();
        }
    }
}
