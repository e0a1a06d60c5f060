package io.rhid.agent.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints the config's durations: a number with a unit, such as 250ms, 2s, 1.5m or 1h. */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    private Durations() {
    }

    /** The duration written as {@code text}, or empty when it is not a number followed by a unit. */
    public static Optional<Duration> parse(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        BigDecimal millisPerUnit = switch (m.group(2)) {
            case "ms" -> BigDecimal.ONE;
            case "s" -> BigDecimal.valueOf(1_000);
            case "m" -> BigDecimal.valueOf(60_000);
            default -> BigDecimal.valueOf(3_600_000);
        };
        BigDecimal millis = new BigDecimal(m.group(1)).multiply(millisPerUnit);
        // Sub-millisecond precision would be invisible in every message and timer, so refuse it
        // rather than round it.
        if (millis.stripTrailingZeros().scale() > 0 || millis.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(millis.longValueExact()));
    }

    /** The shortest exact text for {@code d} in the config's notation: 250ms, 2s, 90s, 1m, 2h. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms != 0 && ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
