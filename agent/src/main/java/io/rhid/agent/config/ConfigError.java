package io.rhid.agent.config;

import java.util.Comparator;
import java.util.Objects;

/**
 * One problem in a config file, located at the line and column where it was found.
 *
 * <p>{@link #toString()} is the format operators and tests see:
 * {@code FILE:LINE:COL: PATH: message}. An error about the file as a whole (unreadable, empty)
 * has line 0 and prints as {@code FILE: message}.
 *
 * @param file    the config file's name as given on the command line
 * @param line    1-based line, or 0 for the whole file
 * @param column  1-based column, or 0 for the whole file
 * @param path    dotted path of the field, such as {@code services.dns.checks[0].timeout}; may be empty
 * @param message what was found and what is allowed
 */
public record ConfigError(String file, int line, int column, String path, String message)
        implements Comparable<ConfigError> {

    private static final Comparator<ConfigError> ORDER = Comparator.comparingInt(ConfigError::line)
            .thenComparingInt(ConfigError::column)
            .thenComparing(ConfigError::path)
            .thenComparing(ConfigError::message);

    public ConfigError {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public int compareTo(ConfigError other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(file);
        if (line > 0) {
            out.append(':').append(line).append(':').append(column);
        }
        out.append(": ");
        if (!path.isEmpty()) {
            out.append(path).append(": ");
        }
        return out.append(message).toString();
    }
}
