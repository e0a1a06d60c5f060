package io.rhid.agent.status;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters, gauges and histograms the control loop records through {@link MetricListener} and the
 * status server reads: thread-safe, allocation-free on the hot path once a label set has been seen.
 * Label values are given in the order the {@link Metric} declares them; a wrong count is a bug and
 * is refused at once rather than recorded where no scrape shows it.
 */
public final class Metrics implements MetricListener {

    /**
     * Upper bounds of the duration histograms, in seconds: from sub-millisecond probes of local
     * services and BIRD applies up to the longest timeouts, so p99 across a fleet can be computed.
     */
    static final double[] DURATION_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** A series, identified by its family and label values. */
    public record Key(Metric family, List<String> labels) {
        public Key {
            Objects.requireNonNull(family, "family");
            labels = List.copyOf(labels);
            if (labels.size() != family.labels().size()) {
                throw new IllegalArgumentException(family.familyName() + " takes labels " + family.labels() + ", given "
                        + labels);
            }
        }
    }

    /** One histogram's cumulative view at one moment: counts per bucket bound (the last is +Inf), sum. */
    public record HistogramView(double[] bounds, long[] cumulative, double sum) {
        public long count() {
            return cumulative[cumulative.length - 1];
        }
    }

    private static final Comparator<Key> ORDER = Comparator.comparing((Key k) -> k.family().familyName())
            .thenComparing(k -> String.join("\u0000", k.labels()));

    private final Map<Key, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<Key, Double> gauges = new ConcurrentHashMap<>();
    private final Map<Key, Histogram> histograms = new ConcurrentHashMap<>();

    /** Adds to a counter, sets a gauge or observes a histogram (in seconds), by the family's type. */
    @Override
    public void record(Metric family, double value, String... labels) {
        Key key = new Key(family, List.of(labels));
        switch (family.type()) {
            case COUNTER -> counters.computeIfAbsent(key, k -> new LongAdder()).add((long) value);
            case GAUGE -> gauges.put(key, value);
            case HISTOGRAM -> histograms.computeIfAbsent(key, k -> new Histogram(DURATION_BUCKETS)).observe(value);
            default -> throw new IllegalStateException(family.type().toString());
        }
    }

    /** A counter's value, 0 before its first event. */
    public long count(Metric family, String... labels) {
        LongAdder a = counters.get(new Key(family, List.of(labels)));
        return a == null ? 0 : a.sum();
    }

    /** A gauge's value, or NaN when it was never set. */
    public double gauge(Metric family, String... labels) {
        Double v = gauges.get(new Key(family, List.of(labels)));
        return v == null ? Double.NaN : v;
    }

    /** How many observations a histogram has. */
    public long observations(Metric family, String... labels) {
        Histogram h = histograms.get(new Key(family, List.of(labels)));
        return h == null ? 0 : h.view().count();
    }

    /** Every counter, for exposition. */
    public Map<Key, Long> counters() {
        Map<Key, Long> out = new TreeMap<>(ORDER);
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Every gauge, for exposition. */
    public Map<Key, Double> gauges() {
        Map<Key, Double> out = new TreeMap<>(ORDER);
        out.putAll(gauges);
        return out;
    }

    /** Every histogram, for exposition. */
    public Map<Key, HistogramView> histograms() {
        Map<Key, HistogramView> out = new TreeMap<>(ORDER);
        histograms.forEach((k, v) -> out.put(k, v.view()));
        return out;
    }

    /** An empty histogram's view, for series that exist before their first observation. */
    static HistogramView emptyHistogram() {
        return new Histogram(DURATION_BUCKETS).view();
    }

    /** Per-bucket counters; a view adds them up, so a scrape may see an observation's bucket before its sum. */
    private static final class Histogram {
        private final double[] bounds;
        private final LongAdder[] buckets; // the last one is +Inf
        private final DoubleAdder sum = new DoubleAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.buckets = new LongAdder[bounds.length + 1];
            Arrays.setAll(buckets, i -> new LongAdder());
        }

        void observe(double value) {
            int i = 0;
            while (i < bounds.length && value > bounds[i]) {
                i++;
            }
            buckets[i].increment();
            sum.add(value);
        }

        HistogramView view() {
            long[] cumulative = new long[buckets.length];
            long running = 0;
            for (int i = 0; i < buckets.length; i++) {
                running += buckets[i].sum();
                cumulative[i] = running;
            }
            return new HistogramView(bounds.clone(), cumulative, sum.sum());
        }
    }
}
