package io.rhid.checks.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Builds the short texts of failure reasons and config messages; stateless and thread-safe. */
public final class Reasons {

    /** Reasons end up in logs, {@code /status} and metric labels, so free text is cut here. */
    public static final int MAX_TEXT = 100;

    private Reasons() {
    }

    /** {@code timeout after 500ms}. */
    public static String timeout(Duration timeout) {
        return "timeout after " + duration(timeout);
    }

    /** A duration the way the config spells it: {@code 250ms}, {@code 1s}, {@code 1.5s}, {@code 2m}. */
    public static String duration(Duration d) {
        if (d.isNegative()) {
            return "-" + duration(d.negated());
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            return plain(BigDecimal.valueOf(d.toNanos(), 6)) + "ms";
        }
        if (d.toNanosPart() == 0 && d.toSecondsPart() == 0) {
            return d.toMinutesPart() == 0 ? d.toHours() + "h" : d.toMinutes() + "m";
        }
        return plain(BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9))) + "s";
    }

    private static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }

    /** The first non-blank line of {@code text}, trimmed and cut to {@link #MAX_TEXT} characters. */
    public static String firstLine(String text) {
        for (String line : text.split("\\R")) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty()) {
                return cut(trimmed);
            }
        }
        return "";
    }

    /** {@code "text"}, escaped like a Java string, for the {@code (found "...")} of messages. */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        text.chars().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append((char) c);
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    /** {@code text} cut to {@link #MAX_TEXT} characters, marked with {@code ...} when cut. */
    public static String cut(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 3) + "...";
    }

    /**
     * A reason for a failed socket or HTTP exchange: {@code connect refused}, {@code connection
     * reset}, {@code connection closed}, {@code unexpected end of stream}, {@code tls: ...}, or the
     * timeout reason; never an exception's class name where words exist.
     */
    public static String io(IOException e, Duration timeout) {
        if (e instanceof SocketTimeoutException
                || e instanceof InterruptedIOException && "timeout".equals(e.getMessage())) {
            return timeout(timeout);
        }
        if (e instanceof InterruptedIOException) {
            return "interrupted";
        }
        if (e instanceof ClosedChannelException || mentions(e, "socket closed") || mentions(e, "socket is closed")) {
            // The connection was closed under the exchange (by the peer's reset or our own close):
            // the class name alone tells an operator nothing.
            return "connection closed";
        }
        if (e instanceof SSLPeerUnverifiedException) {
            // OkHttp appends the whole certificate after the first colon.
            String message = String.valueOf(e.getMessage());
            int colon = message.indexOf(':');
            return "tls: " + cut(colon > 0 ? message.substring(0, colon) : message);
        }
        if (e instanceof SSLException) {
            return "tls: " + firstLine(message(rootCause(e)));
        }
        if (e instanceof ConnectException) {
            return mentions(e, "refused") ? "connect refused" : "connect failed: " + firstLine(message(rootCause(e)));
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof PortUnreachableException) {
            return "port unreachable";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + cut(String.valueOf(e.getMessage()));
        }
        if (mentions(e, "connection reset")) {
            return "connection reset";
        }
        if (mentions(e, "broken pipe")) {
            return "broken pipe";
        }
        if (e instanceof EOFException || mentions(e, "unexpected end of stream")) {
            return "unexpected end of stream";
        }
        return unexpected(e);
    }

    /** {@code SimpleName: message} of the root cause, for failures with no better description. */
    public static String unexpected(Throwable e) {
        Throwable root = rootCause(e);
        String message = root.getMessage();
        String name = root.getClass().getSimpleName();
        return message == null || message.isBlank() ? name : firstLine(name + ": " + message);
    }

    private static boolean mentions(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains(text)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
