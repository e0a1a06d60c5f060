package io.rhid.agent.importer;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words the way POSIX shells quote them (and Python's
 * {@code shlex.split}, which anycast-healthchecker and ExaBGP's config use): single quotes are
 * literal, double quotes let a backslash escape only {@code "} and {@code \}, and outside quotes a
 * backslash escapes any character. No expansion of any kind. Pure.
 */
final class Shlex {

    private Shlex() {
    }

    /** The words of {@code line}; throws IllegalArgumentException on an unclosed quote or trailing backslash. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '\'') {
                int close = line.indexOf('\'', i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("no closing quotation");
                }
                word.append(line, i + 1, close);
                inWord = true;
                i = close + 1;
            } else if (c == '"') {
                i++;
                boolean closed = false;
                while (i < line.length()) {
                    char d = line.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                        word.append(line.charAt(i + 1));
                        i += 2;
                    } else {
                        word.append(d);
                        i++;
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("no closing quotation");
                }
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw new IllegalArgumentException("no escaped character");
                }
                word.append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** {@code word} quoted so that {@link #split} (and a POSIX shell) reads it back as one word. */
    static String quote(String word) {
        if (!word.isEmpty() && word.matches("[A-Za-z0-9_@%+=:,./-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\"'\"'") + "'";
    }

    /** The words joined back into one line that splits into the same words. */
    static String join(List<String> words) {
        return String.join(" ", words.stream().map(Shlex::quote).toList());
    }
}
