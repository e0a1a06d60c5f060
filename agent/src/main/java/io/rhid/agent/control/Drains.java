package io.rhid.agent.control;

import io.rhid.agent.router.AtomicFiles;
import io.rhid.agent.health.DrainHold;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services an operator drained, kept in {@code STATE_DIR/drained} so a drain survives restarts
 * of rhid and config reloads: the persistence of the evaluator's {@link DrainHold}. Confined to
 * the control loop's thread.
 */
final class Drains {

    private static final Logger log = LoggerFactory.getLogger(Drains.class);

    private final Path file;
    private final DrainHold hold = new DrainHold();

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
                    hold.put(name, new DrainHold.Drain(nowMillis, 0, true));
                }
            }
        } catch (IOException e) {
            log.error("cannot read {}: {}; no service starts drained", file, e.toString());
        }
        if (!hold.names().isEmpty()) {
            log.info("drained by an operator before this start, and kept withdrawn: {}", String.join(", ", hold.names()));
        }
    }

    /** The in-memory drains, which the evaluator reads. */
    DrainHold hold() {
        return hold;
    }

    /** Records a drain; returns an error message if it could not be persisted (it still applies). */
    String put(String service, DrainHold.Drain drain) {
        hold.put(service, drain);
        return save();
    }

    String remove(String service) {
        return hold.remove(service) ? save() : null;
    }

    /** Forgets drains of services that no longer exist. */
    void retain(Collection<String> services) {
        if (hold.names().retainAll(services)) {
            save();
        }
    }

    private String save() {
        StringBuilder s = new StringBuilder("# Services drained with `rhid drain`; `rhid resume` clears them. Written by rhid.\n");
        hold.names().forEach(n -> s.append(n).append('\n'));
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
