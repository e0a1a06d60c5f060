package io.rhid.agent.log;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.MDC;

/**
 * Key/value fields for the log lines of an event (a transition, an apply, a reload, a drift
 * repair): {@code --log-format json} writes them as top-level JSON fields, so they can be queried;
 * the text format leaves them out, since the message already says the same. They live in the
 * logging thread's MDC for the duration of a try-with-resources block:
 *
 * <pre>{@code
 * try (var f = LogFields.of("service", name, "from", a, "to", b)) {
 *     log.info("{}: {} -> {}", name, a, b);
 * }
 * }</pre>
 *
 * <p>Field names are stable and documented in the README: {@code service}, {@code from},
 * {@code to}, {@code check}, {@code prefixes}, {@code duration_ms}, {@code daemon}, {@code result},
 * {@code event}, {@code kind}.
 */
public final class LogFields implements AutoCloseable {

    private final List<String> keys;

    private LogFields(List<String> keys) {
        this.keys = keys;
    }

    /** Sets the fields, given as name, value, name, value...; a null value is left out. */
    public static LogFields of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs");
        }
        List<String> keys = new ArrayList<>(namesAndValues.length / 2);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                MDC.put(namesAndValues[i], namesAndValues[i + 1]);
                keys.add(namesAndValues[i]);
            }
        }
        return new LogFields(keys);
    }

    @Override
    public void close() {
        keys.forEach(MDC::remove);
    }
}
