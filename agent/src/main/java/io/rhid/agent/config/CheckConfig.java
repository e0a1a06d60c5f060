package io.rhid.agent.config;

import io.rhid.checks.spi.ProbeSpec;
import java.util.Objects;

/**
 * One check of a service.
 *
 * @param name   unique within the service: the {@code id} key, or the type (suffixed with
 *               {@code -N} when the service has several checks of that type)
 * @param index  position in the service's {@code checks} list
 * @param spec   the probe's validated, type-specific settings
 * @param timing the effective schedule
 */
public record CheckConfig(String name, int index, ProbeSpec spec, Timing timing) {

    public CheckConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(timing, "timing");
    }
}
