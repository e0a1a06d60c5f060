package io.rhid.agent.importer;

import io.rhid.agent.config.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Fits another tool's check timing into rhid's rules (interval 10ms-1h, timeout below the
 * interval, fast_interval 10ms-interval, rise and fall 1-100) and writes it onto a service,
 * explaining every value it had to change. Pure.
 */
final class Timings {

    static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    static final Duration MAX_INTERVAL = Duration.ofHours(1);

    private Timings() {
    }

    /**
     * Puts interval, timeout (and fast_interval when {@code fast} is not null), rise and fall
     * into {@code fields}. {@code timeout} null means the tool had none. Returns the timeout used.
     */
    static Duration apply(Map<String, Object> fields, String tool, Duration interval, Duration timeout, Duration fast,
                          int rise, int fall, Findings findings, String where, List<String> comments) {
        Duration i = interval;
        if (i.compareTo(MIN_INTERVAL) < 0 || i.compareTo(MAX_INTERVAL) > 0) {
            i = i.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : MAX_INTERVAL;
            comments.add(findings.warn(where, "interval " + seconds(interval) + " is outside rhid's 10ms-1h; using "
                    + Durations.format(i)));
        }
        fields.put("interval", Durations.format(i));
        Duration t = timeout;
        Duration below = i.minusMillis(1);
        if (t == null) {
            comments.add(tool + " had no timeout; rhid needs one below the interval: " + Durations.format(below));
            t = below;
        } else if (t.compareTo(i) > 0) {
            comments.add(findings.warn(where, "timeout " + seconds(timeout) + " is longer than the interval; rhid needs "
                    + "it below the interval, so a check now fails after " + Durations.format(below)));
            t = below;
        } else if (t.equals(i)) {
            comments.add("timeout " + seconds(timeout) + " equals the interval; rhid needs it below: " + Durations.format(below));
            t = below;
        } else if (t.toMillis() < 1) {
            comments.add(findings.warn(where, "timeout " + seconds(timeout) + " is below 1ms; using 1ms"));
            t = Duration.ofMillis(1);
        }
        fields.put("timeout", Durations.format(t));
        if (fast != null) {
            Duration f = fast;
            if (f.compareTo(i) > 0) {
                // Re-checking sooner while a change is confirmed only makes detection faster.
                comments.add("fast interval " + seconds(fast) + " is longer than the interval; rhid allows at most the"
                        + " interval: " + Durations.format(i));
                f = i;
            } else if (f.compareTo(MIN_INTERVAL) < 0) {
                comments.add("fast interval " + seconds(fast) + " is below rhid's 10ms; using 10ms");
                f = MIN_INTERVAL;
            }
            fields.put("fast_interval", Durations.format(f));
        }
        fields.put("rise", bounded(rise, "rise", findings, where, comments));
        fields.put("fall", bounded(fall, "fall", findings, where, comments));
        return t;
    }

    private static int bounded(int n, String what, Findings findings, String where, List<String> comments) {
        if (n >= 1 && n <= 100) {
            return n;
        }
        int fitted = n < 1 ? 1 : 100;
        comments.add(findings.warn(where, what + " " + n + " is outside rhid's 1-100; using " + fitted));
        return fitted;
    }

    /** A duration as the tool wrote it, in seconds. */
    static String seconds(Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
    }
}
