package io.rhid.agent.router;

import java.util.Objects;

/**
 * A difference between what rhid applied and what it found.
 *
 * @param kind   {@code file} (the daemon's file was edited or removed), {@code routes} (the daemon
 *               announces something else, e.g. after a restart or a protocol disabled by hand) or
 *               {@code address} (an address was removed from or added to the interface by hand)
 * @param detail what differs, for the log
 */
public record Drift(String kind, String detail) {

    public Drift {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }
}
