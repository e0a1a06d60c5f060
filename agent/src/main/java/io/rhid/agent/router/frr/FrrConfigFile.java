package io.rhid.agent.router.frr;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * rhid's block in the operator's frr.conf ({@code router.frr.mode: reload}): the lines from
 * {@code ! rhid begin} to {@code ! rhid end}. Pure text surgery that keeps every byte outside the
 * block as it was. A file without the markers gets the block appended at the end (before a final
 * {@code end} line, after which vtysh would read no more configuration).
 */
final class FrrConfigFile {

    private FrrConfigFile() {
    }

    /** Where the block is: line indexes of the markers, or -1 for both when there is none. */
    record Markers(int begin, int end) {
        boolean present() {
            return begin >= 0;
        }
    }

    /** The file's lines, each with its line terminator. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            out.add(text.substring(start, end));
            start = end;
        }
        return out;
    }

    private static String content(String line) {
        return line.stripTrailing();
    }

    /**
     * Finds the markers.
     *
     * @throws IllegalArgumentException when there is not exactly one of each, begin first, or none
     */
    static Markers markers(String text) {
        List<String> lines = lines(text);
        List<Integer> begins = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String c = content(lines.get(i));
            if (c.equals(FrrSyntax.BEGIN)) {
                begins.add(i);
            } else if (c.equals(FrrSyntax.END)) {
                ends.add(i);
            }
        }
        if (begins.isEmpty() && ends.isEmpty()) {
            return new Markers(-1, -1);
        }
        if (begins.size() != 1 || ends.size() != 1 || begins.get(0) > ends.get(0)) {
            throw new IllegalArgumentException("has " + count(begins.size(), "\"" + FrrSyntax.BEGIN + "\" line")
                    + " and " + count(ends.size(), "\"" + FrrSyntax.END + "\" line") + " (lines "
                    + join(begins, ends) + "); rhid needs exactly one of each, begin first, or neither (then it appends its block)");
        }
        return new Markers(begins.get(0), ends.get(0));
    }

    /** The block as it is in the file, markers included, or empty when there is none. */
    static Optional<String> block(String text) {
        Markers m = markers(text);
        if (!m.present()) {
            return Optional.empty();
        }
        return Optional.of(String.join("", lines(text).subList(m.begin(), m.end() + 1)));
    }

    /** {@code text} with its block replaced by {@code block} (or {@code block} added), nothing else changed. */
    static String withBlock(String text, String block) {
        List<String> lines = lines(text);
        Markers m = markers(text);
        StringBuilder out = new StringBuilder(text.length() + block.length() + 1);
        if (m.present()) {
            lines.subList(0, m.begin()).forEach(out::append);
            out.append(block);
            String endLine = lines.get(m.end());
            if (!endLine.endsWith("\n")) {
                // the old end marker was the file's last line without a newline; keep it that way
                out.setLength(out.length() - 1);
            }
            lines.subList(m.end() + 1, lines.size()).forEach(out::append);
            return out.toString();
        }
        int insertAt = lines.size();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String c = content(lines.get(i)).strip();
            if (c.isEmpty()) {
                continue;
            }
            if (c.equals("end")) {
                insertAt = i;
            }
            break;
        }
        lines.subList(0, insertAt).forEach(out::append);
        if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
        out.append(block);
        lines.subList(insertAt, lines.size()).forEach(out::append);
        return out.toString();
    }

    /**
     * Lines outside the block that look like rhid's ({@code network ... route-map rhid-...},
     * {@code route-map rhid-...}), as {@code line N: TEXT}; typically left by a {@code write memory}
     * of the running config. frr-reload.py would keep them configured whatever the block says.
     */
    static List<String> strayLines(String text) {
        List<String> lines = lines(text);
        Markers m;
        try {
            m = markers(text);
        } catch (IllegalArgumentException e) {
            m = new Markers(-1, -1);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (m.present() && i >= m.begin() && i <= m.end()) {
                continue;
            }
            String c = content(lines.get(i));
            if (FrrSyntax.looksLikeRhidLine(c)) {
                out.add("line " + (i + 1) + ": " + c.strip());
            }
        }
        return out;
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static String join(List<Integer> begins, List<Integer> ends) {
        List<Integer> all = new ArrayList<>(begins);
        all.addAll(ends);
        all.sort(null);
        return String.join(", ", all.stream().map(i -> Integer.toString(i + 1)).toList());
    }
}
