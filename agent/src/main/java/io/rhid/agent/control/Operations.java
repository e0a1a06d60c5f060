package io.rhid.agent.control;

import io.rhid.agent.status.StatusSnapshot;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What operators can ask of a running daemon, through the control socket. Each mutating
 * operation is carried out by the control loop's thread; the future completes once it has been
 * handled (for a drain: once the draining announcement is applied), never blocking the caller.
 */
public interface Operations {

    /** The outcome of an operation, as the CLI prints it. */
    record Reply(boolean ok, String message) {
        public static Reply ok(String message) {
            return new Reply(true, message);
        }

        public static Reply error(String message) {
            return new Reply(false, message);
        }
    }

    /**
     * Drains services: announce with the draining attributes for drain_hold, then withdraw, until
     * resumed. Survives config reloads and restarts.
     *
     * @param services the services to drain; ignored when {@code all}
     */
    CompletableFuture<Reply> drain(List<String> services, boolean all);

    /** Returns drained or draining services to health-driven announcement. */
    CompletableFuture<Reply> resume(List<String> services, boolean all);

    /** Runs the checks of these services (all services when empty) now. */
    CompletableFuture<Reply> recheck(List<String> services);

    /** Re-reads the config file; an invalid file changes nothing and the reply lists its errors. */
    CompletableFuture<Reply> reload();

    /** The daemon's current state. */
    StatusSnapshot status();
}
