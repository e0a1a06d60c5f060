package io.rhid.agent.router;

import java.util.List;
import java.util.Objects;

/**
 * What an external command did.
 *
 * @param exitCode  the exit status, or -1 when it timed out or could not start
 * @param output    stdout and stderr, merged, truncated to a bound
 * @param timedOut  whether it was killed for exceeding its time limit
 */
public record CommandResult(List<String> argv, int exitCode, String output, long durationNanos, boolean timedOut) {

    public CommandResult {
        argv = List.copyOf(argv);
        Objects.requireNonNull(output, "output");
    }

    public boolean ok() {
        return exitCode == 0 && !timedOut;
    }

    /** {@code " (timed out)"}, {@code " (exit N)"} or nothing, to follow the command's name in error messages. */
    public String exitSuffix() {
        return timedOut ? " (timed out)" : exitCode != 0 ? " (exit " + exitCode + ")" : "";
    }

    /** The output on one line, shortened, for error messages. */
    public String summary() {
        String flat = output.strip().replaceAll("\\s*\\n\\s*", " | ");
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }
}
