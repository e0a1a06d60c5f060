package io.rhid.agent.router;

import java.time.Duration;
import java.util.List;

/** Runs external commands (birdc, vtysh, ip); injected so appliers are tested with scripted replies. */
public interface CommandRunner {

    /**
     * Runs {@code argv} (no shell) with {@code stdin} as its input, waits at most {@code timeout},
     * and kills it when that passes. Never throws for a failing command; a command that cannot be
     * started is reported as exit -1 with the reason as output.
     */
    CommandResult run(List<String> argv, String stdin, Duration timeout);

    default CommandResult run(List<String> argv, Duration timeout) {
        return run(argv, null, timeout);
    }
}
