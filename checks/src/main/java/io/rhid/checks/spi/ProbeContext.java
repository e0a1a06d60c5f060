package io.rhid.checks.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * What the agent tells a probe when creating it.
 *
 * @param label   the check's name for log lines, such as {@code dns/tcp}
 * @param timeout the longest one run may take; the probe enforces it itself
 */
public record ProbeContext(String label, Duration timeout) {

    public ProbeContext {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(timeout, "timeout");
    }
}
