package io.rhid.agent.importer;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Prints a {@link Draft} as rhid YAML: block style for sections and services, flow style for
 * checks and lists, comments where the importer put them. Pure and byte-deterministic.
 */
final class YamlWriter {

    /** Scalars that YAML reads as plain strings; anything else is double-quoted. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_/][A-Za-z0-9_./+-]*");
    /** Plain words that YAML 1.1 or 1.2 would read as something other than a string. */
    private static final Pattern SPECIAL = Pattern.compile(
            "(?i)(true|false|yes|no|on|off|y|n|null|~)|[-+]?(\\d[\\d_]*(\\.\\d*)?([eE][-+]?\\d+)?|\\.\\d+|\\.inf|\\.nan|0x[0-9a-f]+|0o[0-7]+)");

    private YamlWriter() {
    }

    static String write(Draft draft) {
        StringBuilder out = new StringBuilder();
        for (String line : draft.header) {
            comment(out, "", line);
        }
        if (!draft.header.isEmpty()) {
            out.append('\n');
        }
        for (Map.Entry<String, Object> e : draft.top.entrySet()) {
            entry(out, "", e.getKey(), e.getValue());
        }
        boolean anyEnabled = draft.services.stream().anyMatch(s -> s.enabled);
        if (!draft.top.isEmpty()) {
            out.append('\n');
        }
        out.append(anyEnabled ? "services:\n" : "services: {}\n");
        boolean first = true;
        for (Draft.Service s : draft.services) {
            if (!first) {
                out.append('\n');
            }
            first = false;
            StringBuilder body = new StringBuilder();
            service(body, s);
            if (s.enabled) {
                out.append(body);
            } else {
                // A service that cannot run yet is printed whole, but commented out, so the operator
                // can finish it; its own comments stay readable.
                for (String line : body.toString().split("\n")) {
                    out.append(line.stripLeading().startsWith("#") ? line : "  # " + line.substring(2)).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static void service(StringBuilder out, Draft.Service s) {
        for (String c : s.comments) {
            comment(out, "  ", c);
        }
        out.append("  ").append(key(s.name)).append(":\n");
        for (Map.Entry<String, Object> e : s.fields.entrySet()) {
            entry(out, "    ", e.getKey(), e.getValue());
        }
        out.append("    checks:\n");
        for (Draft.Check c : s.checks) {
            for (String line : c.comments) {
                comment(out, "      ", line);
            }
            out.append("      - ").append(flow(c.fields)).append('\n');
        }
    }

    @SuppressWarnings("unchecked")
    private static void entry(StringBuilder out, String indent, String key, Object value) {
        if (value instanceof Draft.Commented c) {
            for (String line : c.comments()) {
                comment(out, indent, line);
            }
            value = c.value();
        }
        if (value instanceof Map<?, ?> m) {
            out.append(indent).append(key(key)).append(":\n");
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                entry(out, indent + "  ", e.getKey(), e.getValue());
            }
            return;
        }
        out.append(indent).append(key(key)).append(": ").append(inline(value)).append('\n');
    }

    static void comment(StringBuilder out, String indent, String text) {
        for (String line : text.split("\n", -1)) {
            out.append(indent).append('#');
            String clean = line.replaceAll("[\\p{Cntrl}\u0085\u2028\u2029]", " ").stripTrailing();
            if (!clean.isEmpty()) {
                out.append(' ').append(clean);
            }
            out.append('\n');
        }
    }

    @SuppressWarnings("unchecked")
    static String inline(Object value) {
        if (value instanceof Draft.Flow f) {
            return flow(f.entries());
        }
        if (value instanceof Map<?, ?> m) {
            return flow((Map<String, Object>) m);
        }
        if (value instanceof List<?> list) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(inline(list.get(i)));
            }
            return b.append(']').toString();
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        return scalar(value.toString());
    }

    private static String flow(Map<String, Object> fields) {
        StringBuilder b = new StringBuilder("{ ");
        boolean first = true;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            b.append(first ? "" : ", ").append(key(e.getKey())).append(": ").append(inline(e.getValue()));
            first = false;
        }
        return b.append(" }").toString();
    }

    private static String key(String key) {
        return scalar(key);
    }

    /** A string scalar: plain when YAML reads it back as the same string, else double-quoted. */
    static String scalar(String text) {
        if (PLAIN.matcher(text).matches() && !SPECIAL.matcher(text).matches()) {
            return text;
        }
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
