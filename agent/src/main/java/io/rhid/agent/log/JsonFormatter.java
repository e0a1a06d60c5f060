package io.rhid.agent.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/** One JSON object per line: {@code {"time":...,"level":...,"logger":...,"message":...}}. */
final class JsonFormatter extends Formatter {

    @Override
    public String format(LogRecord r) {
        StringBuilder out = new StringBuilder(160);
        out.append("{\"time\":\"").append(Instant.ofEpochMilli(r.getMillis())).append('"');
        out.append(",\"level\":\"").append(LogSetup.levelName(r.getLevel())).append('"');
        out.append(",\"logger\":");
        quote(out, r.getLoggerName() == null ? "" : r.getLoggerName());
        out.append(",\"thread\":");
        quote(out, Thread.currentThread().getName());
        out.append(",\"message\":");
        quote(out, formatMessage(r));
        if (r.getThrown() != null) {
            StringWriter trace = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(trace));
            out.append(",\"exception\":");
            quote(out, trace.toString());
        }
        return out.append("}\n").toString();
    }

    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
