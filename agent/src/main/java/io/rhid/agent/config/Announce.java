package io.rhid.agent.config;

import java.util.Objects;

/**
 * A service's announcement attributes per state.
 *
 * <p>Absent states inherit: {@code degraded} uses the {@code up} attributes, and {@code draining}
 * uses the {@code up} attributes plus the GRACEFUL_SHUTDOWN community (65535:0).
 */
public record Announce(Attributes up, Attributes degraded, Attributes draining) {

    public static final Announce DEFAULT = new Announce(Attributes.NONE, Attributes.NONE,
            Attributes.NONE.with(Community.GRACEFUL_SHUTDOWN));

    public Announce {
        Objects.requireNonNull(up, "up");
        Objects.requireNonNull(degraded, "degraded");
        Objects.requireNonNull(draining, "draining");
    }
}
