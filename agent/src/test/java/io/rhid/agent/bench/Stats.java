package io.rhid.agent.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Order statistics of a sample of durations in milliseconds. */
record Stats(List<Double> sortedMillis) {

    static Stats ofNanos(List<Long> nanos) {
        List<Double> ms = new ArrayList<>();
        nanos.forEach(n -> ms.add(n / 1e6));
        Collections.sort(ms);
        return new Stats(List.copyOf(ms));
    }

    int n() {
        return sortedMillis.size();
    }

    double min() {
        return sortedMillis.get(0);
    }

    double max() {
        return sortedMillis.get(n() - 1);
    }

    /** The nearest-rank percentile (p in 0..100). */
    double percentile(double p) {
        int rank = (int) Math.ceil(p / 100.0 * n());
        return sortedMillis.get(Math.max(0, Math.min(n() - 1, rank - 1)));
    }

    double median() {
        int n = n();
        return n % 2 == 1 ? sortedMillis.get(n / 2) : (sortedMillis.get(n / 2 - 1) + sortedMillis.get(n / 2)) / 2;
    }

    static String ms(double v) {
        return String.format(Locale.ROOT, v < 10 ? "%.1f" : "%.0f", v);
    }

    /** "p50 / p95 / max" in ms. */
    String summary() {
        return ms(median()) + " / " + ms(percentile(95)) + " / " + ms(max());
    }
}
