package io.rhid.agent.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The timing keys ({@code interval}, {@code fast_interval}, {@code timeout}, {@code rise},
 * {@code fall}) set at one level of the config (defaults, service or check), each with where it
 * was set; null where absent. Checks inherit from their service, services from {@code defaults}.
 * An immutable value; {@link #resolve} reports on the binding thread's {@link Errors}.
 */
record TimingLayer(Setting<Duration> interval, Setting<Duration> fastInterval, Setting<Duration> timeout,
                   Setting<Integer> rise, Setting<Integer> fall) {

    static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(1);
    private static final int MAX_RISE_FALL = 100;

    static final TimingLayer NONE = new TimingLayer(null, null, null, null, null);

    /** A value of one timing key and where it was set. */
    record Setting<T>(T value, YamlNode node, String path) {
    }

    /** Reads the timing keys of one mapping, reporting values out of range. */
    static TimingLayer read(Fields f) {
        return new TimingLayer(
                setting(f, "interval", f.durationIn("interval", MIN_INTERVAL, ConfigBinder.MAX_INTERVAL)),
                setting(f, "fast_interval", f.durationIn("fast_interval", Duration.ZERO, ConfigBinder.MAX_INTERVAL)),
                setting(f, "timeout", f.durationIn("timeout", Duration.ofMillis(1), ConfigBinder.MAX_INTERVAL)),
                setting(f, "rise", f.integer("rise", 1, MAX_RISE_FALL).map(Long::intValue)),
                setting(f, "fall", f.integer("fall", 1, MAX_RISE_FALL).map(Long::intValue)));
    }

    private static <T> Setting<T> setting(Fields f, String key, Optional<T> value) {
        return value.map(v -> new Setting<>(v, f.value(key).orElseThrow(), f.pathOf(key))).orElse(null);
    }

    /** This layer's settings, falling back to {@code outer}'s where absent. */
    TimingLayer over(TimingLayer outer) {
        return new TimingLayer(pick(interval, outer.interval), pick(fastInterval, outer.fastInterval),
                pick(timeout, outer.timeout), pick(rise, outer.rise), pick(fall, outer.fall));
    }

    private static <T> Setting<T> pick(Setting<T> inner, Setting<T> outer) {
        return inner != null ? inner : outer;
    }

    /**
     * Resolves one check's layers, or returns null after reporting an inconsistency. Unset values
     * default: interval 2s, timeout half the interval up to 1s, fast_interval a tenth of the
     * interval but at least 10ms, rise and fall 2.
     */
    Timing resolve(Errors errors) {
        Duration interval = this.interval != null ? this.interval.value() : Duration.ofSeconds(2);
        Duration timeout = this.timeout != null ? this.timeout.value() : min(MAX_TIMEOUT, interval.dividedBy(2));
        boolean ok = true;
        if (this.timeout != null && timeout.compareTo(interval) >= 0) {
            ok = false;
            // Point at the more specific of the two settings: that is the one the operator just wrote.
            if (this.interval != null && depth(this.interval.path()) > depth(this.timeout.path())) {
                errors.at(this.interval.node(), this.interval.path(), "must be greater than timeout (interval="
                        + Durations.format(interval) + ", timeout=" + Durations.format(timeout) + " from " + this.timeout.path() + ")");
            } else {
                errors.at(this.timeout.node(), this.timeout.path(), "must be less than interval (timeout="
                        + Durations.format(timeout) + ", interval=" + Durations.format(interval) + ")");
            }
        }
        Duration fast;
        if (fastInterval == null) {
            fast = min(interval, max(MIN_INTERVAL, interval.dividedBy(10)));
        } else if (fastInterval.value().isZero()) {
            fast = interval;
        } else {
            fast = fastInterval.value();
            if (fast.compareTo(MIN_INTERVAL) < 0 || fast.compareTo(interval) > 0) {
                ok = false;
                errors.at(fastInterval.node(), fastInterval.path(), "must be 0 or between 10ms and interval (found "
                        + Durations.format(fast) + ", interval=" + Durations.format(interval) + ")");
            }
        }
        int rise = this.rise != null ? this.rise.value() : 2;
        int fall = this.fall != null ? this.fall.value() : 2;
        // watch depends on the check's type as well: CheckBinder decides it.
        return ok ? new Timing(interval, fast, timeout, rise, fall, false) : null;
    }

    private static int depth(String path) {
        return path.split("[.\\[]").length;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
