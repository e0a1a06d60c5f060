package io.rhid.agent.config;

import io.rhid.checks.spi.Permissions;
import io.rhid.checks.spi.SpecReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, error-collecting reads of one YAML mapping: the binder's view of a config section and,
 * as a {@link SpecReader}, a probe provider's view of one check.
 *
 * <p>Every accessor records the key as known; {@link #finish()} then reports the keys nobody
 * asked for as unknown, listing the allowed ones. A present value of the wrong type is reported
 * here and read as empty, so callers never report it twice.
 */
final class Fields implements SpecReader {

    private static final Pattern INDEXED = Pattern.compile("([^\\[]+)\\[(\\d+)]");
    private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,19}");
    private static final Pattern ARGUMENT = Pattern.compile("[^\\x00-\\x1f\\x7f]*");

    private final YamlNode.Mapping mapping;
    private final String path;
    private final Errors errors;
    private final TreeSet<String> known = new TreeSet<>();

    Fields(YamlNode.Mapping mapping, String path, Errors errors) {
        this.mapping = mapping;
        this.path = path;
        this.errors = errors;
    }

    /** Reads {@code node} as a mapping, reporting anything else as an error at {@code path}. */
    static Optional<Fields> of(YamlNode node, String path, Errors errors) {
        if (node instanceof YamlNode.Mapping m) {
            return Optional.of(new Fields(m, path, errors));
        }
        if (node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.REPORTED) {
            return Optional.empty();
        }
        errors.at(node, path, "must be a mapping (found " + node.describe() + ")");
        return Optional.empty();
    }

    String path() {
        return path;
    }

    YamlNode.Mapping node() {
        return mapping;
    }

    String pathOf(String key) {
        return Errors.child(path, key);
    }

    /** Marks {@code keys} as known without reading them (read elsewhere, or by another reader). */
    void allow(String... keys) {
        known.addAll(List.of(keys));
    }

    boolean has(String key) {
        known.add(key);
        return mapping.entries().containsKey(key);
    }

    Optional<YamlNode> value(String key) {
        known.add(key);
        YamlNode.Entry entry = mapping.entries().get(key);
        if (entry == null || entry.value() instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.REPORTED) {
            return Optional.empty();
        }
        return Optional.of(entry.value());
    }

    Optional<YamlNode.Entry> entry(String key) {
        known.add(key);
        return Optional.ofNullable(mapping.entries().get(key));
    }

    Optional<Fields> mapping(String key) {
        return value(key).flatMap(v -> of(v, pathOf(key), errors));
    }

    Optional<List<YamlNode>> sequence(String key) {
        Optional<YamlNode> v = value(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.get() instanceof YamlNode.Sequence s) {
            return Optional.of(s.items());
        }
        errors.at(v.get(), pathOf(key), "must be a sequence (found " + v.get().describe() + ")");
        return Optional.empty();
    }

    /**
     * A sequence that must be present and not empty: reports {@code is required} when absent and
     * {@code whenEmpty} when empty (unless its type was reported already); empty in both cases.
     */
    List<YamlNode> requiredSequence(String key, String whenEmpty) {
        if (!has(key)) {
            missing(key);
            return List.of();
        }
        List<YamlNode> items = sequence(key).orElse(List.of());
        if (items.isEmpty() && !errors.hasErrorsUnder(pathOf(key))) {
            error(key, whenEmpty);
        }
        return items;
    }

    @Override
    public Optional<String> string(String key) {
        return value(key).flatMap(v -> scalarText(v, pathOf(key), "a string"));
    }

    @Override
    public Optional<String> requiredString(String key) {
        if (!has(key)) {
            missing(key);
            return Optional.empty();
        }
        return string(key);
    }

    /** Reports {@code key} as required, at the position of this mapping. */
    void missing(String key) {
        errors.at(mapping, pathOf(key), "is required");
    }

    @Override
    public Optional<Long> integer(String key) {
        Optional<YamlNode> v = value(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.get() instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.INTEGER && DECIMAL.matcher(s.text()).matches()) {
            try {
                return Optional.of(Long.parseLong(s.text()));
            } catch (NumberFormatException tooLarge) {
                // falls through to the type error below
            }
        }
        errors.at(v.get(), pathOf(key), "must be an integer (found " + v.get().describe() + ")");
        return Optional.empty();
    }

    /** An integer within {@code [min, max]}; values outside are reported, never clamped. */
    Optional<Long> integer(String key, long min, long max) {
        Optional<Long> n = integer(key);
        if (n.isPresent() && (n.get() < min || n.get() > max)) {
            errors.at(value(key).orElseThrow(), pathOf(key), "must be between " + min + " and " + max + " (found " + n.get() + ")");
            return Optional.empty();
        }
        return n;
    }

    @Override
    public Optional<Boolean> bool(String key) {
        Optional<YamlNode> v = value(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        // Only true and false: YAML 1.1's yes/no/on/off are too easy to write by accident.
        if (v.get() instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.BOOLEAN
                && (s.text().equals("true") || s.text().equals("false"))) {
            return Optional.of(s.text().equals("true"));
        }
        errors.at(v.get(), pathOf(key), "must be true or false (found " + v.get().describe() + ")");
        return Optional.empty();
    }

    @Override
    public Optional<Duration> duration(String key) {
        Optional<YamlNode> v = value(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.get() instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.STRING) {
            Optional<Duration> d = Durations.parse(s.text());
            if (d.isPresent()) {
                return d;
            }
        }
        errors.at(v.get(), pathOf(key), "must be a duration with a unit, such as 250ms, 2s or 1m (found " + v.get().describe() + ")");
        return Optional.empty();
    }

    @Override
    public Optional<List<String>> strings(String key) {
        Optional<List<YamlNode>> items = sequence(key);
        if (items.isEmpty()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < items.get().size(); i++) {
            Optional<String> text = scalarText(items.get().get(i), Errors.index(pathOf(key), i), "a string");
            ok &= text.isPresent();
            text.ifPresent(out::add);
        }
        return ok ? Optional.of(List.copyOf(out)) : Optional.empty();
    }

    @Override
    public Optional<Map<String, String>> stringMap(String key) {
        Optional<Fields> m = mapping(key);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> out = new LinkedHashMap<>();
        boolean ok = true;
        for (YamlNode.Entry e : m.get().mapping.entries().values()) {
            Optional<String> text = scalarText(e.value(), m.get().pathOf(e.key()), "a string");
            ok &= text.isPresent();
            text.ifPresent(t -> out.put(e.key(), t));
        }
        return ok ? Optional.of(java.util.Collections.unmodifiableMap(out)) : Optional.empty();
    }

    /** A choice among fixed words, such as {@code daemon: bird}; anything else is reported. */
    <T> Optional<T> oneOf(String key, Map<String, T> choices, String allowed) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        T value = choices.get(text.get());
        if (value == null) {
            error(key, "must be " + allowed + " (found " + value(key).orElseThrow().describe() + ")");
        }
        return Optional.ofNullable(value);
    }

    /** A string matching {@code pattern}; {@code expected} describes it in the error. */
    Optional<String> matching(String key, Pattern pattern, String expected) {
        Optional<String> text = string(key);
        if (text.isPresent() && !pattern.matcher(text.get()).matches()) {
            error(key, "must be " + expected + " (found " + value(key).orElseThrow().describe() + ")");
            return Optional.empty();
        }
        return text;
    }

    /** A duration within {@code [min, max]}; values outside are reported, never clamped. */
    Optional<Duration> durationIn(String key, Duration min, Duration max) {
        Optional<Duration> d = duration(key);
        if (d.isPresent() && (d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0)) {
            error(key, "must be between " + Durations.format(min) + " and " + Durations.format(max)
                    + " (found " + Durations.format(d.get()) + ")");
            return Optional.empty();
        }
        return d;
    }

    /** An absolute path without control characters, or {@code fallback} when absent or invalid. */
    Path absolutePath(String key, String fallback) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return Path.of(fallback);
        }
        String p = text.get();
        if (!p.startsWith("/") || !ARGUMENT.matcher(p).matches()) {
            error(key, "must be an absolute path (found \"" + p + "\")");
            return Path.of(fallback);
        }
        return Path.of(p);
    }

    /** A list of command-line arguments, none with control characters. */
    List<String> arguments(String key) {
        List<String> args = strings(key).orElse(List.of());
        for (int i = 0; i < args.size(); i++) {
            if (!ARGUMENT.matcher(args.get(i)).matches()) {
                error(key + "[" + i + "]", "must not contain control characters such as newlines");
            }
        }
        return args;
    }

    /** A command to run without a shell: absolute, executable argv[0], no control characters. */
    List<String> command(String key) {
        if (!has(key)) {
            return List.of();
        }
        List<String> argv = arguments(key);
        if (argv.isEmpty()) {
            if (!errors.hasErrorsUnder(pathOf(key))) {
                error(key, "must list the command and its arguments, such as [/usr/local/bin/notify, --quiet]");
            }
            return List.of();
        }
        Path program = Path.of(argv.get(0));
        if (!program.isAbsolute()) {
            error(key + "[0]", "must be an absolute path (found \"" + argv.get(0) + "\")");
        } else if (!Files.isRegularFile(program) || !Files.isExecutable(program)) {
            error(key + "[0]", "must be an executable file (found \"" + argv.get(0) + "\")");
        } else {
            Permissions.unsafeWrite(program).ifPresent(why -> error(key + "[0]", "\"" + argv.get(0) + "\" " + why));
        }
        return argv;
    }

    /**
     * Reads an optional section with {@code read}, then reports its unknown keys; {@code absent}
     * gives the value when the section is left out.
     */
    static <T> T section(Optional<Fields> section, Function<Fields, T> read, Supplier<T> absent) {
        if (section.isEmpty()) {
            return absent.get();
        }
        T value = read.apply(section.get());
        section.get().finish();
        return value;
    }

    @Override
    public void error(String field, String message) {
        errors.at(locate(field), pathOf(field), message);
    }

    @Override
    public boolean hasErrors() {
        return errors.hasErrorsUnder(path);
    }

    /** Reports every key of this mapping that no accessor asked for. */
    void finish() {
        for (YamlNode.Entry e : mapping.entries().values()) {
            if (!known.contains(e.key())) {
                errors.at(e.line(), e.column(), pathOf(e.key()), "unknown key (allowed: " + String.join(", ", known) + ")");
            }
        }
    }

    Collection<YamlNode.Entry> entries() {
        return mapping.entries().values();
    }

    /** The node a field name refers to ({@code url} or {@code expect_status[1]}), or this mapping. */
    private YamlNode locate(String field) {
        Matcher m = INDEXED.matcher(field);
        String key = m.matches() ? m.group(1) : field;
        YamlNode.Entry entry = mapping.entries().get(key);
        if (entry == null) {
            return mapping;
        }
        if (m.matches() && entry.value() instanceof YamlNode.Sequence s) {
            int i = Integer.parseInt(m.group(2));
            if (i < s.items().size()) {
                return s.items().get(i);
            }
        }
        return entry.value();
    }

    static Optional<String> scalarText(YamlNode node, String path, Errors errors, String expected) {
        if (node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.REPORTED) {
            return Optional.empty();
        }
        if (node instanceof YamlNode.Scalar s && s.kind() != YamlNode.Kind.NULL) {
            return Optional.of(s.text());
        }
        errors.at(node, path, "must be " + expected + " (found " + node.describe() + ")");
        return Optional.empty();
    }

    private Optional<String> scalarText(YamlNode node, String at, String expected) {
        return scalarText(node, at, errors, expected);
    }
}
