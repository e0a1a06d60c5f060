package io.rhid.agent.config;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Collects the errors of one config file while it is parsed and bound; confined to that thread. */
final class Errors {

    private final String file;
    private final TreeSet<ConfigError> errors = new TreeSet<>();

    Errors(String file) {
        this.file = file;
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    void at(int line, int column, String path, String message) {
        errors.add(new ConfigError(file, line, column, printable(path), printable(message)));
    }

    /**
     * {@code text} with control characters escaped ({@code \n}, {@code \u001b}), so a value
     * quoted in a message can never break the one-error-per-line output. C1 controls and the
     * Unicode line and paragraph separators count too: NEL (U+0085), U+2028 and U+2029 end a
     * line for many readers (Python's splitlines, some terminals and log viewers).
     */
    static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0) && c != 0x2028 && c != 0x2029) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out == null ? text : out.toString();
    }

    void at(YamlNode node, String path, String message) {
        at(node.line(), node.column(), path, message);
    }

    void atFile(String message) {
        errors.add(new ConfigError(file, 0, 0, "", printable(message)));
    }

    int count() {
        return errors.size();
    }

    /** Whether an error was reported at {@code path} or inside it. */
    boolean hasErrorsUnder(String path) {
        for (ConfigError e : errors) {
            String p = e.path();
            if (p.equals(path) || p.startsWith(path + ".") || p.startsWith(path + "[")) {
                return true;
            }
        }
        return false;
    }

    List<ConfigError> sorted() {
        return new ArrayList<>(errors);
    }
}
