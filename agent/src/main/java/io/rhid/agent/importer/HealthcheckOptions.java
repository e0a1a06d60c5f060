package io.rhid.agent.importer;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * ExaBGP healthcheck's command line (as of ExaBGP 4.2) read as its argparse parser reads it: long
 * options may be abbreviated, {@code --opt=value}, short options, repeated options, and a
 * {@code --config} file of {@code option = value} lines whose options come first. An immutable
 * value once parsed; parsing is pure apart from the {@code readConfig} function.
 */
final class HealthcheckOptions {

    /** An option: its canonical long name, whether it takes a value, and whether it may repeat. */
    private record Option(String name, boolean value, boolean repeats) {
    }

    private static final List<Option> OPTIONS = new ArrayList<>();
    private static final Map<String, Option> SHORT = new LinkedHashMap<>();

    static {
        for (String flag : List.of("silent", "no-syslog", "no-ack", "sudo", "debug", "deaggregate-networks", "no-ip-setup",
                "ip-setup", "dynamic-ip-setup", "withdraw-on-down")) {
            OPTIONS.add(new Option(flag, false, false));
        }
        for (String valued : List.of("syslog-facility", "name", "config", "pid", "user", "group", "interval", "fast-interval",
                "timeout", "rise", "fall", "disable", "command", "cmd", "next-hop", "local-preference", "label", "start-ip",
                "up-metric", "down-metric", "disabled-metric", "increase", "community", "extended-community",
                "large-community", "disabled-community", "as-path", "up-as-path", "down-as-path", "disabled-as-path",
                "path-id")) {
            OPTIONS.add(new Option(valued, true, false));
        }
        for (String repeated : List.of("ip", "neighbor", "execute", "up-execute", "down-execute", "disabled-execute")) {
            OPTIONS.add(new Option(repeated, true, true));
        }
        Map<String, String> shorts = Map.ofEntries(Map.entry("s", "silent"), Map.entry("sF", "syslog-facility"),
                Map.entry("a", "no-ack"), Map.entry("d", "debug"), Map.entry("n", "name"), Map.entry("F", "config"),
                Map.entry("p", "pid"), Map.entry("i", "interval"), Map.entry("f", "fast-interval"), Map.entry("t", "timeout"),
                Map.entry("c", "command"), Map.entry("N", "next-hop"));
        shorts.forEach((s, l) -> SHORT.put(s, OPTIONS.stream().filter(o -> o.name().equals(l)).findFirst().orElseThrow()));
    }

    /** Each option's values in the order given; options that do not repeat keep only their last. */
    private final Map<String, List<String>> values;

    private HealthcheckOptions(Map<String, List<String>> values) {
        this.values = values;
    }

    /** The healthcheck options in {@code args}: after a {@code run} line's program, or the args themselves. */
    static List<String> arguments(List<String> args) throws ImportException {
        List<String> words = args;
        if (args.size() == 1 && args.get(0).strip().startsWith("run ")) {
            try {
                words = Shlex.split(args.get(0).strip());
            } catch (IllegalArgumentException e) {
                throw new ImportException(List.of("run line: cannot be split into words: " + e.getMessage()));
            }
        }
        if (!words.isEmpty() && words.get(0).equals("run")) {
            words = new ArrayList<>(words.subList(1, words.size()));
            if (!words.isEmpty()) {
                String last = words.get(words.size() - 1);
                if (last.equals(";")) {
                    words.remove(words.size() - 1);
                } else if (last.endsWith(";")) {
                    words.set(words.size() - 1, last.substring(0, last.length() - 1));
                }
            }
        }
        if (words.isEmpty() || words.get(0).startsWith("-")) {
            return words;
        }
        for (int i = 0; i < words.size(); i++) {
            String w = CheckCommands.basename(words.get(i));
            if (w.equals("healthcheck") || w.startsWith("healthcheck.") || w.endsWith("-healthcheck")) {
                return words.subList(i + 1, words.size());
            }
        }
        throw new ImportException(List.of("\"" + String.join(" ", words) + "\": not a healthcheck command line (expected"
                + " options such as --cmd, or a run line starting python3 -m exabgp healthcheck)"));
    }

    /**
     * Parses healthcheck's options, and a {@code --config} file's through {@code readConfig} (which
     * returns its text or throws UncheckedIOException); every problem is reported at once.
     */
    static HealthcheckOptions parse(List<String> words, Function<String, String> readConfig) throws ImportException {
        List<String> errors = new ArrayList<>();
        Map<String, List<String>> options = parse(words, "argument", errors);
        if (options.containsKey("config")) {
            String file = last(options, "config");
            List<String> fromFile = new ArrayList<>();
            try {
                for (String line : readConfig.apply(file).split("\r?\n")) {
                    String l = line.strip();
                    if (l.isEmpty() || l.startsWith("#")) {
                        continue;
                    }
                    String[] kv = ("--" + l).split("=", 2);
                    for (String part : kv) {
                        fromFile.add(part.strip());
                    }
                }
            } catch (UncheckedIOException e) {
                throw new ImportException(List.of(file + ": cannot read: " + e.getCause().getMessage()));
            }
            // As healthcheck does: the file's options first, the command line's after (and winning).
            fromFile.addAll(words);
            // The second parse reads the command line's words again: report their errors once.
            errors.clear();
            options = parse(fromFile, file, errors);
        }
        if (!errors.isEmpty()) {
            throw new ImportException(errors.stream().distinct().toList());
        }
        return new HealthcheckOptions(options);
    }

    /** The option's last value, or null when it is absent. */
    String last(String name) {
        return last(values, name);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    /** Every value of a repeatable option, in order; empty when it is absent. */
    List<String> all(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    private static String last(Map<String, List<String>> options, String name) {
        List<String> values = options.get(name);
        return values == null ? null : values.get(values.size() - 1);
    }

    private static Map<String, List<String>> parse(List<String> words, String source, List<String> errors) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            Option option;
            String value = null;
            if (w.startsWith("--") && w.length() > 2) {
                String name = w.substring(2);
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                option = longOption(name, source, w, errors);
            } else if (w.startsWith("-") && w.length() > 1) {
                String s = w.substring(1);
                option = SHORT.get(s);
                if (option == null && SHORT.containsKey(s.substring(0, 1)) && SHORT.get(s.substring(0, 1)).value()) {
                    option = SHORT.get(s.substring(0, 1));
                    value = s.substring(1);
                }
                if (option == null) {
                    errors.add(source + " " + w + ": unknown option");
                }
            } else {
                errors.add(source + " \"" + w + "\": unexpected argument (healthcheck takes only options)");
                continue;
            }
            if (option == null) {
                continue;
            }
            if (option.value() && value == null) {
                boolean optional = option.name().equals("syslog-facility");
                if (i + 1 < words.size() && !(words.get(i + 1).startsWith("-") && words.get(i + 1).length() > 1
                        && !words.get(i + 1).matches("-\\d.*"))) {
                    value = words.get(++i);
                } else if (optional) {
                    value = "daemon";
                } else {
                    errors.add(source + " " + w + ": expects a value");
                    continue;
                }
            } else if (!option.value() && value != null) {
                errors.add(source + " " + w + ": takes no value");
                continue;
            }
            String name = option.name().equals("cmd") ? "command" : option.name();
            List<String> values = out.computeIfAbsent(name, k -> new ArrayList<>());
            if (!option.repeats()) {
                values.clear();
            }
            values.add(value == null ? "" : value);
        }
        return out;
    }

    /** An exact long option, or the only one it abbreviates (argparse allows unambiguous prefixes). */
    private static Option longOption(String name, String source, String word, List<String> errors) {
        for (Option o : OPTIONS) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        List<Option> matches = OPTIONS.stream().filter(o -> o.name().startsWith(name)).toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        errors.add(source + " " + word + (matches.isEmpty() ? ": unknown option"
                : ": ambiguous option (could be " + String.join(", ", matches.stream().map(o -> "--" + o.name()).toList()) + ")"));
        return null;
    }
}
