package io.rhid.checks.exec;

import io.rhid.checks.spi.ProbeSpec;
import java.util.List;
import java.util.Map;

/**
 * An {@code exec} check: run {@code command} without a shell, healthy when it exits 0.
 *
 * @param command the argument vector; the first element is an absolute path, resolved on PATH when
 *                the config was read
 * @param env     variables added to the agent's environment
 */
record ExecProbeSpec(List<String> command, Map<String, String> env) implements ProbeSpec {

    ExecProbeSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }

    @Override
    public String type() {
        return ExecProbeProvider.TYPE;
    }

    /** The program alone: arguments may carry credentials, and status is readable by any local user. */
    @Override
    public String target() {
        return command.get(0);
    }

    @Override
    public String fullTarget() {
        return String.join(" ", command);
    }

    /** The whole command: checks running one program with different arguments are not one server. */
    @Override
    public String endpoint() {
        return fullTarget();
    }
}
