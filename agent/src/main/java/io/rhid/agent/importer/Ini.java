package io.rhid.agent.importer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * INI files read the way Python's {@code configparser.ConfigParser} reads them with its defaults,
 * which is how anycast-healthchecker reads its config: {@code [DEFAULT]} values are inherited by
 * every section, keys are case-insensitive, {@code =} or {@code :} separate key and value, whole
 * lines starting with {@code #} or {@code ;} are comments (there are no inline comments), indented
 * lines continue a value, later files override earlier ones, and values are interpolated
 * ({@code %(key)s}, {@code %%}). One instance collects the files of one import, on one thread.
 */
final class Ini {

    static final String DEFAULT = "DEFAULT";
    private static final Pattern SECTION = Pattern.compile("\\[(.+)\\]", Pattern.DOTALL);
    private static final Pattern OPTION = Pattern.compile("(.*?)\\s*[=:]\\s*(.*)", Pattern.DOTALL);
    private static final Pattern REFERENCE = Pattern.compile("%\\(([^)]*)\\)s");

    /** Where a value was written: file and 1-based line and column of its key. */
    record Origin(String file, int line, int column) {
        static final Origin BUILT_IN = new Origin("", 0, 0);

        @Override
        public String toString() {
            return line == 0 ? "(default)" : file + ":" + line + ":" + column;
        }
    }

    /** One key's raw (uninterpolated) value and where it was set. */
    record Entry(String key, String raw, Origin origin) {
    }

    /** A problem that makes the input unreadable. */
    record Problem(Origin origin, String message) {
        @Override
        public String toString() {
            return origin + ": " + message;
        }
    }

    private final Map<String, Map<String, Entry>> sections = new LinkedHashMap<>();
    private final Map<String, Origin> sectionOrigins = new LinkedHashMap<>();
    private final List<Problem> problems = new ArrayList<>();

    Ini() {
        sections.put(DEFAULT, new LinkedHashMap<>());
    }

    /** Sets a built-in default, as the tool's own defaults dictionary does before reading files. */
    void builtIn(String section, String key, String value) {
        sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(key, new Entry(key, value, Origin.BUILT_IN));
    }

    List<Problem> problems() {
        return List.copyOf(problems);
    }

    /** Section names in the order first seen, without DEFAULT. */
    List<String> sections() {
        return sections.keySet().stream().filter(s -> !s.equals(DEFAULT)).toList();
    }

    Optional<Origin> sectionOrigin(String section) {
        return Optional.ofNullable(sectionOrigins.get(section));
    }

    /** Keys set in {@code section} itself (not inherited), in order. */
    List<Entry> own(String section) {
        return List.copyOf(sections.getOrDefault(section, Map.of()).values());
    }

    /** The entry for {@code key} in {@code section}, else in DEFAULT. */
    Optional<Entry> entry(String section, String key) {
        Entry e = sections.getOrDefault(section, Map.of()).get(key);
        if (e == null) {
            e = sections.get(DEFAULT).get(key);
        }
        return Optional.ofNullable(e);
    }

    /** The interpolated value; throws IllegalArgumentException with configparser's reason when it cannot be. */
    String get(String section, String key) {
        Entry e = entry(section, key).orElseThrow(() -> new IllegalArgumentException("no option " + key));
        return interpolate(section, e.raw(), 1);
    }

    private String interpolate(String section, String raw, int depth) {
        if (depth > 10) {
            throw new IllegalArgumentException("interpolation nested too deeply");
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            if (raw.startsWith("%%", i)) {
                out.append('%');
                i += 2;
                continue;
            }
            Matcher m = REFERENCE.matcher(raw).region(i, raw.length());
            if (!m.lookingAt()) {
                throw new IllegalArgumentException("'%' must be followed by '%' or '(', found: " + raw.substring(i));
            }
            String ref = m.group(1).toLowerCase(Locale.ROOT);
            Entry target = entry(section, ref).orElseThrow(
                    () -> new IllegalArgumentException("bad interpolation: no option " + ref));
            out.append(interpolate(section, target.raw(), depth + 1));
            i = m.end();
        }
        return out.toString();
    }

    /** Reads one file's text into this parser, as {@code ConfigParser.read} does for each file. */
    void read(String file, String text) {
        Map<String, Entry> current = null;
        String currentName = null;
        Entry last = null;
        int lastIndent = 0;
        Set<String> seenSections = new HashSet<>();
        Set<String> seenKeys = new HashSet<>();
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            String value = line.strip();
            int lineNo = n + 1;
            if (value.isEmpty()) {
                last = null;
                continue;
            }
            if (value.startsWith("#") || value.startsWith(";")) {
                continue;
            }
            int indent = line.indexOf(value.charAt(0));
            if (last != null && indent > lastIndent) {
                last = new Entry(last.key(), last.raw() + "\n" + value, last.origin());
                current.put(last.key(), last);
                continue;
            }
            Matcher section = SECTION.matcher(value);
            if (section.lookingAt()) {
                String name = value.substring(1, value.lastIndexOf(']'));
                if (!seenSections.add(name)) {
                    problems.add(new Problem(new Origin(file, lineNo, indent + 1), "section [" + name + "] already exists in this file"));
                }
                currentName = name;
                current = sections.computeIfAbsent(name, s -> new LinkedHashMap<>());
                sectionOrigins.putIfAbsent(name, new Origin(file, lineNo, indent + 1));
                last = null;
                continue;
            }
            if (current == null) {
                problems.add(new Problem(new Origin(file, lineNo, indent + 1), "file contains no section header before this line"));
                continue;
            }
            Matcher option = OPTION.matcher(value);
            if (!option.matches() || option.group(1).isEmpty()) {
                problems.add(new Problem(new Origin(file, lineNo, indent + 1),
                        "not a section header, a key = value line or a comment (found \"" + value + "\")"));
                last = null;
                continue;
            }
            String key = option.group(1).strip().toLowerCase(Locale.ROOT);
            if (!seenKeys.add(currentName + "\0" + key)) {
                problems.add(new Problem(new Origin(file, lineNo, indent + 1),
                        "[" + currentName + "] " + key + ": already set in this section of this file"));
            }
            last = new Entry(key, option.group(2), new Origin(file, lineNo, indent + 1));
            lastIndent = indent;
            current.put(key, last);
        }
    }
}
