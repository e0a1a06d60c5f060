package io.rhid.agent.cli;

import io.rhid.agent.config.ConfigException;
import io.rhid.agent.config.ConfigLoader;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -c FILE} option every command shares. */
final class ConfigOption {

    static final String DEFAULT = "/etc/rhid/rhid.yaml";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = DEFAULT,
            description = "Config file (default: ${DEFAULT-VALUE}).")
    Path file;

    RhidConfig load(ProbeTypes types) throws ConfigException {
        return new ConfigLoader(types).load(file);
    }
}
