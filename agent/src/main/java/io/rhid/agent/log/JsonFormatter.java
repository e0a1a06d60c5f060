package io.rhid.agent.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import org.slf4j.MDC;

/**
 * One JSON object per line: {@code {"time":...,"level":...,"logger":...,"thread":...,"message":...}}
 * followed by the event's {@link LogFields}. The time always has milliseconds
 * ({@code 2026-11-21T10:00:19.000Z}), so fixed-format parsers read every line. Under journald the
 * line starts with a syslog priority prefix ({@code <6>}), which journald strips and keeps as the
 * entry's priority.
 */
final class JsonFormatter extends Formatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final boolean journald;

    JsonFormatter(boolean journald) {
        this.journald = journald;
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder out = new StringBuilder(160);
        if (journald) {
            out.append('<').append(TextFormatter.priority(r.getLevel())).append('>');
        }
        out.append("{\"time\":\"").append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append('"');
        out.append(",\"level\":\"").append(LogSetup.levelName(r.getLevel())).append('"');
        out.append(",\"logger\":");
        quote(out, r.getLoggerName() == null ? "" : r.getLoggerName());
        out.append(",\"thread\":");
        quote(out, Thread.currentThread().getName());
        out.append(",\"message\":");
        quote(out, formatMessage(r));
        Map<String, String> fields = MDC.getCopyOfContextMap();
        if (fields != null) {
            new TreeMap<>(fields).forEach((k, v) -> {
                out.append(',');
                quote(out, k);
                out.append(':');
                quote(out, v);
            });
        }
        if (r.getThrown() != null) {
            StringWriter trace = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(trace));
            out.append(",\"exception\":");
            quote(out, trace.toString());
        }
        return out.append("}\n").toString();
    }

    private static void quote(StringBuilder out, String s) {
        JsonStrings.quote(out, s);
    }
}
