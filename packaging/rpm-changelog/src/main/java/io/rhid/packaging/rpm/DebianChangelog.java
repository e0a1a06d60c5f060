package io.rhid.packaging.rpm;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses a Debian changelog into entries and renders them as rpm changelog entries; pure. */
final class DebianChangelog {

    private static final Pattern HEADER = Pattern.compile("^(\\S+) \\(([^)]+)\\) [^;]+;.*$");
    private static final Pattern TRAILER = Pattern.compile("^ -- (.+ <[^>]+>)  (.+)$");

    private DebianChangelog() {
    }

    /** One version's entry: its version, author ("NAME <MAIL>"), date, and text lines as written. */
    record Entry(String version, String author, Instant date, List<String> lines) {
        Entry {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(author, "author");
            Objects.requireNonNull(date, "date");
            lines = List.copyOf(lines);
        }

        /** The rpm changelog text: Debian's "  * item" and its continuation lines as "- item" and "  ...". */
        String rpmText() {
            List<String> out = new ArrayList<>();
            for (String line : lines) {
                String s = line.strip();
                if (s.isEmpty()) {
                    continue;
                }
                out.add(s.startsWith("* ") ? "- " + s.substring(2) : "  " + s);
            }
            return String.join("\n", out);
        }
    }

    /** The entries, newest first, as the file lists them; an error names the line. */
    static List<Entry> parse(String name, String text) {
        List<Entry> entries = new ArrayList<>();
        String version = null;
        List<String> lines = new ArrayList<>();
        String[] all = text.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            String line = all[i];
            Matcher h = HEADER.matcher(line);
            Matcher t = TRAILER.matcher(line);
            if (version == null && h.matches()) {
                version = h.group(2);
                lines = new ArrayList<>();
            } else if (version != null && t.matches()) {
                Instant date;
                try {
                    date = ZonedDateTime.parse(t.group(2), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException(name + ":" + (i + 1) + ": not an RFC 2822 date: " + t.group(2));
                }
                entries.add(new Entry(version, t.group(1), date, lines));
                version = null;
            } else if (version != null) {
                lines.add(line);
            } else if (!line.isBlank()) {
                throw new IllegalArgumentException(name + ":" + (i + 1) + ": expected 'PACKAGE (VERSION) DIST; urgency=...', found: " + line);
            }
        }
        if (version != null) {
            throw new IllegalArgumentException(name + ": the entry for " + version + " has no ' -- NAME <MAIL>  DATE' line");
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(name + ": no entries");
        }
        return List.copyOf(entries);
    }
}
