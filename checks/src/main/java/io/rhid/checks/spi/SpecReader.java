package io.rhid.checks.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read access to one check's entry in the config file, given to
 * {@link ProbeProvider#parse(SpecReader)}.
 *
 * <p>The agent implements this over its located YAML tree, so every error a provider reports
 * carries the file, line and column of the offending field. Keys are the snake_case YAML keys.
 *
 * <p>Each accessor returns empty when the key is absent (absent means default). When the key is
 * present but of the wrong type, the reader itself reports the error and also returns empty, so a
 * provider never reports a type error twice; it checks {@link #hasErrors()} before building a
 * spec. Keys a provider never reads are reported by the agent as unknown keys.
 *
 * <p>Values are never clamped: a provider that finds a value out of range reports it with
 * {@link #error(String, String)}, saying what was found and what is allowed.
 */
public interface SpecReader {

    /** A scalar as its text (a YAML number or boolean is read as written). */
    Optional<String> string(String key);

    /** Like {@link #string(String)}, but reports {@code is required} when the key is absent. */
    Optional<String> requiredString(String key);

    /** An integer; a string, float or other value is reported as a type error. */
    Optional<Long> integer(String key);

    /** {@code true} or {@code false}. */
    Optional<Boolean> bool(String key);

    /** A duration with a unit ({@code 250ms}, {@code 2s}, {@code 1m}); a bare number is an error. */
    Optional<Duration> duration(String key);

    /** A sequence of scalars, each as its text. */
    Optional<List<String>> strings(String key);

    /** A mapping of scalar keys to scalar values, each as its text, in file order. */
    Optional<Map<String, String>> stringMap(String key);

    /**
     * Reports an error at a field of this check. {@code field} is a key ({@code url}) or a key with
     * an index into its sequence ({@code expect_status[1]}); the message says what was found and
     * what is allowed, such as {@code scheme must be http or https (found ftp)}.
     */
    void error(String field, String message);

    /** Whether any error was reported for this check so far, by the reader or the provider. */
    boolean hasErrors();
}
