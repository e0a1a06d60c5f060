package io.rhid.agent.log;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Configures logging: SLF4J goes to java.util.logging (slf4j-jdk14), which writes one line per
 * record to stderr, as readable text or as JSON. Called once, before anything logs.
 */
public final class LogSetup {

    public enum Format { TEXT, JSON }

    private LogSetup() {
    }

    /**
     * @param level  {@code error}, {@code warn}, {@code info} or {@code debug}; applies to rhid's
     *               own loggers, while libraries log warnings and errors only
     * @param format text, or one JSON object per line
     */
    public static void configure(String level, Format format) {
        configure(level, format, System.err);
    }

    static void configure(String level, Format format, PrintStream out) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        boolean journald = out == System.err && stderrIsJournal(System.getenv("JOURNAL_STREAM"), Path.of("/proc/self/fd/2"));
        Handler handler = new StreamHandler(out, format == Format.JSON ? new JsonFormatter(journald)
                : new TextFormatter(journald));
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        Logger.getLogger("io.rhid").setLevel(julLevel(level));
    }

    /**
     * Whether stderr is the journald stream systemd set up: JOURNAL_STREAM ("DEV:INODE") names
     * stderr's device and inode. It is inherited by children whose stderr was redirected (a shell
     * in a unit running rhid with 2>file), so its presence alone proves nothing.
     */
    static boolean stderrIsJournal(String journalStream, Path stderr) {
        if (journalStream == null || !journalStream.matches("\\d+:\\d+")) {
            return false;
        }
        try {
            Object dev = Files.getAttribute(stderr, "unix:dev");
            Object ino = Files.getAttribute(stderr, "unix:ino");
            return journalStream.equals(Long.toUnsignedString(((Number) dev).longValue()) + ":"
                    + Long.toUnsignedString(((Number) ino).longValue()));
        } catch (IOException | RuntimeException e) {
            return false; // no /proc, or no unix attribute view: assume a plain stream
        }
    }

    static Level julLevel(String level) {
        return switch (level.toLowerCase(Locale.ROOT)) {
            case "error" -> Level.SEVERE;
            case "warn", "warning" -> Level.WARNING;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default -> Level.INFO;
        };
    }

    /**
     * A handler that flushes every record, so lines reach journald and log files at once, and
     * never closes its stream (a ConsoleHandler re-pointed at another stream closes stderr).
     */
    private static final class StreamHandler extends java.util.logging.StreamHandler {
        StreamHandler(PrintStream out, java.util.logging.Formatter formatter) {
            super(out, formatter);
        }

        @Override
        public synchronized void publish(java.util.logging.LogRecord record) {
            super.publish(record);
            flush();
        }

        @Override
        public synchronized void close() {
            flush();
        }
    }

    /** SLF4J's level name for a JUL level. */
    static String levelName(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        return v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }
}
