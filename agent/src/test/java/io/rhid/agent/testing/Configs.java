package io.rhid.agent.testing;

import io.rhid.agent.config.ConfigException;
import io.rhid.agent.config.ConfigLoader;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import java.nio.file.Path;

/** Configs for tests, written as the YAML an operator would write. */
public final class Configs {

    private Configs() {
    }

    public static RhidConfig parse(String yaml) {
        return parse(ProbeTypes.load(), yaml);
    }

    public static RhidConfig parse(ProbeTypes types, String yaml) {
        try {
            return new ConfigLoader(types).parse(Path.of("test.yaml"), yaml);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("test config is invalid:\n" + e.getMessage(), e);
        }
    }
}
