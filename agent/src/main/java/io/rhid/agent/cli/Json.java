package io.rhid.agent.cli;

import io.rhid.agent.log.JsonStrings;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the client commands need, without Jackson (whose start-up cost is most of a
 * short {@code rhid status}): a strict parser to plain maps, lists, strings, numbers, booleans
 * and nulls; and writers. {@link #pretty} prints a tree exactly as Jackson's default pretty
 * printer prints the same tree, so {@code rhid status --json} did not change. Pure and stateless.
 */
final class Json {

    /** Deeper documents are refused rather than risking the stack; a status reply nests 4 levels. */
    static final int MAX_DEPTH = 256;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /**
     * One JSON value, with nothing but whitespace after it. Objects are {@code LinkedHashMap}s in
     * document order (a repeated key keeps its first place and its last value, as in Jackson's
     * tree), integers {@code Long} or {@code BigInteger}, other numbers {@code Double}.
     *
     * @throws IllegalArgumentException naming the offset of the first thing that is not JSON
     */
    static Object parse(String text) {
        Json p = new Json(text);
        Object value = p.value(0);
        p.space();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return value;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        space();
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{' -> {
                return object(depth);
            }
            case '[' -> {
                return array(depth);
            }
            case '"' -> {
                return string();
            }
            case 't' -> {
                return literal("true", Boolean.TRUE);
            }
            case 'f' -> {
                return literal("false", Boolean.FALSE);
            }
            case 'n' -> {
                return literal("null", null);
            }
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + c + "'");
            }
        }
    }

    private Map<String, Object> object(int depth) {
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        space();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            space();
            if (peek() != '"') {
                throw error("expected a key");
            }
            String key = string();
            space();
            expect(':');
            map.put(key, value(depth + 1));
            space();
            if (peek() == ',') {
                pos++;
            } else {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> array(int depth) {
        pos++;
        List<Object> list = new ArrayList<>();
        space();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            list.add(value(depth + 1));
            space();
            if (peek() == ',') {
                pos++;
            } else {
                expect(']');
                return list;
            }
        }
    }

    private String string() {
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(text.charAt(pos++), 16);
                        if (d < 0) {
                            throw error("bad \\u escape");
                        }
                        code = code * 16 + d;
                    }
                    out.append((char) code);
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (!digits()) {
            throw error("bad number");
        }
        boolean integral = true;
        if (peek() == '.') {
            pos++;
            integral = false;
            if (!digits()) {
                throw error("bad number");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            integral = false;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!digits()) {
                throw error("bad number");
            }
        }
        String n = text.substring(start, pos);
        if (!integral) {
            return Double.parseDouble(n);
        }
        return n.length() < 19 ? (Object) Long.parseLong(n) : bigOrLong(new BigInteger(n));
    }

    private static Object bigOrLong(BigInteger n) {
        return n.bitLength() < 64 ? (Object) n.longValue() : n;
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        return pos > start;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected word");
        }
        pos += word.length();
        return value;
    }

    private void space() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("not JSON at offset " + pos + ": " + what);
    }

    /** {@code s} as a JSON string, escaped as Jackson escapes it (control characters, quote, backslash). */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        quote(out, s);
        return out.toString();
    }

    private static void quote(StringBuilder out, String s) {
        JsonStrings.quote(out, s);
    }


    /**
     * The tree as Jackson's {@code writerWithDefaultPrettyPrinter()} writes it: objects one entry a
     * line, indented two spaces a level, {@code "key" : value}; arrays on the line they start,
     * {@code [ a, b ]}; empty ones {@code { }} and {@code [ ]}; no newline at the end.
     */
    static String pretty(Object tree) {
        StringBuilder out = new StringBuilder();
        pretty(out, tree, 0);
        return out.toString();
    }

    private static void pretty(StringBuilder out, Object value, int level) {
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append("{ }");
                return;
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? "" : ",").append('\n').append("  ".repeat(level + 1));
                first = false;
                quote(out, (String) e.getKey());
                out.append(" : ");
                pretty(out, e.getValue(), level + 1);
            }
            out.append('\n').append("  ".repeat(level)).append('}');
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                out.append("[ ]");
                return;
            }
            out.append("[ ");
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ", ");
                pretty(out, list.get(i), level);
            }
            out.append(" ]");
        } else {
            scalar(out, value);
        }
    }

    private static void scalar(StringBuilder out, Object value) {
        if (value instanceof String s) {
            quote(out, s);
        } else {
            // null, Boolean, Long, BigInteger and Double print as Jackson prints their nodes.
            out.append(value);
        }
    }
}
