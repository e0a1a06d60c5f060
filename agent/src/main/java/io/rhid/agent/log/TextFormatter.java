package io.rhid.agent.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One readable line per record: {@code 2026-11-21T10:00:00.123+01:00 INFO  message}. Under journald
 * (JOURNAL_STREAM is set) the time is left to journald and the line starts with a syslog priority
 * prefix such as {@code <6>}, which journald turns into the entry's priority.
 */
final class TextFormatter extends Formatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneId.systemDefault());

    private final boolean journald;

    TextFormatter(boolean journald) {
        this.journald = journald;
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder out = new StringBuilder(128);
        if (journald) {
            out.append('<').append(priority(r.getLevel())).append('>');
        } else {
            out.append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(' ');
        }
        String level = LogSetup.levelName(r.getLevel());
        out.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
        out.append(formatMessage(r)).append('\n');
        if (r.getThrown() != null) {
            StringWriter trace = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(trace));
            if (journald) {
                // journald reads every line as an entry of its own: each keeps the record's priority.
                String prefix = "<" + priority(r.getLevel()) + ">";
                trace.toString().lines().forEach(line -> out.append(prefix).append(line).append('\n'));
            } else {
                out.append(trace);
            }
        }
        return out.toString();
    }

    static int priority(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return 3;
        }
        if (v >= Level.WARNING.intValue()) {
            return 4;
        }
        return v >= Level.INFO.intValue() ? 6 : 7;
    }
}
