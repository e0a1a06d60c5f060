package io.rhid.checks;

import io.rhid.checks.spi.SpecReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link SpecReader} over a map that stands in for one check's YAML mapping: strings, numbers
 * and booleans are scalars, lists are sequences, maps are mappings. Errors are recorded as
 * {@code field: message}; type errors are reported by the reader itself, as the agent's would be.
 */
public final class FakeSpecReader implements SpecReader {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private final Map<String, Object> values;
    private final Set<String> read = new HashSet<>();
    private final List<String> errors = new ArrayList<>();

    public FakeSpecReader(Map<String, ?> values) {
        this.values = new LinkedHashMap<>(values);
    }

    /** A reader over alternating keys and values. */
    public static FakeSpecReader of(Object... keysAndValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new FakeSpecReader(values);
    }

    /** Every error reported so far, as {@code field: message}, in order. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Keys present in the check that nobody read: what the agent reports as unknown keys. */
    public Set<String> unreadKeys() {
        Set<String> unread = new TreeSet<>(values.keySet());
        unread.removeAll(read);
        return unread;
    }

    @Override
    public Optional<String> string(String key) {
        Object value = get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!scalar(value)) {
            return typeError(key, "must be a scalar (found " + kind(value) + ")");
        }
        return Optional.of(value.toString());
    }

    @Override
    public Optional<String> requiredString(String key) {
        if (!values.containsKey(key)) {
            read.add(key);
            error(key, "is required");
            return Optional.empty();
        }
        return string(key);
    }

    @Override
    public Optional<Long> integer(String key) {
        Object value = get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Integer || value instanceof Long) {
            return Optional.of(((Number) value).longValue());
        }
        return typeError(key, "must be an integer (found " + kind(value) + ")");
    }

    @Override
    public Optional<Boolean> bool(String key) {
        Object value = get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Boolean b) {
            return Optional.of(b);
        }
        return typeError(key, "must be true or false (found " + kind(value) + ")");
    }

    @Override
    public Optional<Duration> duration(String key) {
        Object value = get(key);
        if (value == null) {
            return Optional.empty();
        }
        Matcher m = DURATION.matcher(String.valueOf(value));
        if (!(value instanceof String) || !m.matches()) {
            return typeError(key, "must be a duration with a unit, like 500ms or 2s (found " + kind(value) + ")");
        }
        long amount = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        });
    }

    @Override
    public Optional<List<String>> strings(String key) {
        Object value = get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(FakeSpecReader::scalar)) {
            return typeError(key, "must be a list of scalars (found " + kind(value) + ")");
        }
        return Optional.of(list.stream().map(Object::toString).toList());
    }

    @Override
    public Optional<Map<String, String>> stringMap(String key) {
        Object value = get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Map<?, ?> map)
                || !map.keySet().stream().allMatch(FakeSpecReader::scalar)
                || !map.values().stream().allMatch(FakeSpecReader::scalar)) {
            return typeError(key, "must be a mapping of scalars (found " + kind(value) + ")");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k.toString(), v.toString()));
        return Optional.of(copy);
    }

    @Override
    public void error(String field, String message) {
        errors.add(field + ": " + message);
    }

    @Override
    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    private Object get(String key) {
        read.add(key);
        return values.get(key);
    }

    private <T> Optional<T> typeError(String key, String message) {
        error(key, message);
        return Optional.empty();
    }

    private static boolean scalar(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    private static String kind(Object value) {
        if (value instanceof List) {
            return "a sequence";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        return value instanceof String s ? '"' + s + '"' : String.valueOf(value);
    }
}
