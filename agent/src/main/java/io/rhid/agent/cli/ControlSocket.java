package io.rhid.agent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Where the running daemon's control socket is: {@code --socket PATH}, else {@code control.socket}
 * from the config file, else the default. Only that key is read: the rest of the file may be
 * mid-edit, and the daemon keeps running on the config it loaded last. Stateless.
 */
final class ControlSocket {

    static final Path DEFAULT = Path.of("/run/rhid/control.sock");

    private ControlSocket() {
    }

    /** Where the socket is, and why the default was taken when it was. */
    record Lookup(Path socket, String warning) {
    }

    /** The socket to use: {@code option} if given, else {@link #lookup}, printing its warning on {@code err}. */
    static Path resolve(Path option, Path config, PrintWriter err) {
        if (option != null) {
            return option;
        }
        Lookup found = lookup(config);
        if (found.warning() != null) {
            err.println("rhid: warning: " + found.warning() + "; using control socket " + found.socket());
            err.flush();
        }
        return found.socket();
    }

    /**
     * Reads only {@code control.socket} from the file: these commands start in a fraction of the
     * time a full load takes (no binder, no probe types), and a file that is being edited still
     * finds the socket. Absent means the default; unreadable or unusable means the default, with a
     * warning. A file laid out as rhid's examples are is read by {@link #scan}; anything else by a
     * YAML parser.
     */
    static Lookup lookup(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return new Lookup(DEFAULT, file + ": cannot read: no such file");
        } catch (IOException | RuntimeException e) {
            return new Lookup(DEFAULT, file + ": cannot read: " + e.getMessage());
        }
        Object scanned = scan(text);
        if (scanned != UNSURE) {
            return socket(file, scanned);
        }
        Object parsed = Parser.socket(text);
        if (parsed == UNSURE) {
            return new Lookup(DEFAULT, file + ": not valid YAML (rhid check-config says where)");
        }
        return socket(file, parsed);
    }

    /** SnakeYAML, in a class of its own so that the JVM loads it only when {@link #scan} is unsure. */
    static final class Parser {

        private Parser() {
        }

        /** {@code control.socket} as SnakeYAML reads it: null when absent, {@link #UNSURE} when not YAML. */
        static Object socket(String text) {
            Object doc;
            try {
                doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
            } catch (RuntimeException e) {
                return UNSURE;
            }
            Object control = doc instanceof Map<?, ?> m ? m.get("control") : null;
            return control instanceof Map<?, ?> c ? c.get("socket") : null;
        }
    }

    /** What {@link #scan} returns when only a YAML parser can tell. */
    static final Object UNSURE = new Object();

    /**
     * {@code control.socket} read line by line, without a YAML library (loading SnakeYAML costs a
     * short {@code rhid status} about a third of its time): null when there is no such key, an
     * absolute path, or {@link #UNSURE} unless the file is a plain block mapping (keys at column 0
     * without tabs, documents or directives) whose {@code control} block (or one-line flow
     * mapping) holds {@code socket} once, as a plain or quoted absolute path of ordinary
     * characters. Everything the scan does
     * not vouch for goes to the parser, so both agree on every valid file. (On a file that is not
     * valid YAML elsewhere, the scan still finds the socket, where the parser gives up.)
     */
    static Object scan(String text) {
        String[] lines = text.split("\n", -1);
        boolean inControl = false;
        boolean seenControl = false;
        boolean first = true;
        int indent = -1;
        Object socket = null;
        boolean inSocket = false;
        for (String raw : lines) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            int spaces = 0;
            while (spaces < line.length() && line.charAt(spaces) == ' ') {
                spaces++;
            }
            if (spaces < line.length() && line.charAt(spaces) == '\t') {
                return UNSURE;
            }
            String content = line.substring(spaces);
            if (content.isEmpty() || content.startsWith("#")) {
                continue;
            }
            if (spaces == 0) {
                if (content.startsWith("---") || content.startsWith("...") || content.startsWith("%")) {
                    return UNSURE;
                }
                if (content.equals("-") || content.startsWith("- ")) {
                    if (first) {
                        return UNSURE; // a list, not a mapping
                    }
                    continue; // a sequence written at the level of its key
                }
                String key = key(content);
                if (key == null) {
                    return UNSURE;
                }
                first = false;
                inControl = key.equals("control");
                inSocket = false;
                if (inControl) {
                    if (seenControl) {
                        return UNSURE; // repeated
                    }
                    seenControl = true;
                    indent = -1;
                    String value = value(content);
                    if (!value.isEmpty()) {
                        socket = flow(value);
                        if (socket == UNSURE) {
                            return UNSURE; // an anchor, an alias, a flow mapping over several lines...
                        }
                        inControl = false;
                    }
                }
                continue;
            }
            if (first) {
                return UNSURE; // an indented document
            }
            if (!inControl) {
                continue;
            }
            if (indent < 0) {
                indent = spaces;
            }
            if (spaces > indent) {
                if (inSocket) {
                    return UNSURE; // a value over several lines
                }
                continue;
            }
            String key = spaces == indent ? key(content) : null;
            if (key == null) {
                return UNSURE;
            }
            inSocket = key.equals("socket");
            if (inSocket) {
                if (socket != null) {
                    return UNSURE;
                }
                socket = path(value(content));
                if (socket == UNSURE) {
                    return UNSURE;
                }
            }
        }
        return first ? UNSURE : socket;
    }

    /** The key of a {@code key:} or {@code key: value} line, if it is a plain word. */
    private static String key(String content) {
        int colon = content.indexOf(':');
        if (colon <= 0 || (colon + 1 < content.length() && content.charAt(colon + 1) != ' ')) {
            return null;
        }
        for (int i = 0; i < colon; i++) {
            char c = content.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return null;
            }
        }
        return content.substring(0, colon);
    }

    /**
     * {@code socket} in a one-line flow mapping of plain words ({@code { socket: /run/x.sock }}):
     * null when absent, else as {@link #path}; {@link #UNSURE} for anything richer.
     */
    private static Object flow(String value) {
        int close = value.lastIndexOf('}');
        if (!value.startsWith("{") || close < 0) {
            return UNSURE;
        }
        String after = value.substring(close + 1).strip();
        String inner = value.substring(1, close);
        if (!(after.isEmpty() || after.startsWith("#")) || inner.isBlank()) {
            return inner.isBlank() && after.isEmpty() ? null : UNSURE;
        }
        Object socket = null;
        boolean seen = false;
        for (String entry : inner.split(",", -1)) {
            String e = entry.strip();
            String key = key(e);
            if (key == null || e.indexOf('#') >= 0 || e.indexOf('{') >= 0 || e.indexOf('}') >= 0
                    || e.indexOf('[') >= 0 || e.indexOf(']') >= 0 || e.indexOf('"') >= 0 || e.indexOf('\'') >= 0) {
                return UNSURE;
            }
            if (key.equals("socket")) {
                if (seen) {
                    return UNSURE;
                }
                seen = true;
                socket = path(value(e));
                if (socket == UNSURE) {
                    return UNSURE;
                }
            }
        }
        return socket;
    }

    /** What follows {@code key:}, without a trailing comment and spaces. */
    private static String value(String content) {
        String v = content.substring(content.indexOf(':') + 1);
        String trimmed = v.strip();
        if (trimmed.startsWith("#")) {
            return "";
        }
        return trimmed;
    }

    /** A plain, 'single' or "double" quoted absolute path of ordinary characters, else {@link #UNSURE}. */
    private static Object path(String v) {
        String p = v;
        String rest = "";
        if (v.startsWith("'") || v.startsWith("\"")) {
            int close = v.indexOf(v.charAt(0), 1);
            if (close < 0) {
                return UNSURE;
            }
            p = v.substring(1, close);
            rest = v.substring(close + 1).strip();
        } else {
            int comment = v.indexOf(" #");
            if (comment >= 0) {
                p = v.substring(0, comment).strip();
                rest = "#";
            }
        }
        if (!(rest.isEmpty() || rest.startsWith("#")) || !p.startsWith("/")) {
            return UNSURE;
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '.'
                    || c == '_' || c == '-' || c == '+')) {
                return UNSURE;
            }
        }
        return p;
    }

    private static Lookup socket(Path file, Object path) {
        if (path == null) {
            return new Lookup(DEFAULT, null);
        }
        if (path instanceof String p && p.startsWith("/")) {
            return new Lookup(Path.of(p), null);
        }
        return new Lookup(DEFAULT, file + ": control.socket must be an absolute path (found " + path + ")");
    }
}
