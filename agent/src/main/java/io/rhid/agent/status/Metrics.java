package io.rhid.agent.status;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters the control loop and scheduler update and the status server reads: thread-safe,
 * allocation-free on the hot path once a label set has been seen. Label values are joined into
 * keys in the order the metric declares them.
 */
public final class Metrics {

    /** A counter or sum, identified by its metric name and label values. */
    public record Key(String name, List<String> labels) {
        public Key {
            labels = List.copyOf(labels);
        }
    }

    private final Map<Key, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<Key, DoubleAdder> sums = new ConcurrentHashMap<>();

    public void increment(String name, String... labels) {
        counters.computeIfAbsent(new Key(name, List.of(labels)), k -> new LongAdder()).increment();
    }

    public void add(String name, double value, String... labels) {
        sums.computeIfAbsent(new Key(name, List.of(labels)), k -> new DoubleAdder()).add(value);
    }

    /**
     * Records one observation of a summary: increments {@code NAME_count} and adds {@code value}
     * to {@code NAME_sum}.
     */
    public void observe(String name, double value, String... labels) {
        increment(name + "_count", labels);
        add(name + "_sum", value, labels);
    }

    public long count(String name, String... labels) {
        LongAdder a = counters.get(new Key(name, List.of(labels)));
        return a == null ? 0 : a.sum();
    }

    public double sum(String name, String... labels) {
        DoubleAdder a = sums.get(new Key(name, List.of(labels)));
        return a == null ? 0 : a.sum();
    }

    /** Every counter, for exposition. */
    public Map<Key, Long> counters() {
        Map<Key, Long> out = new java.util.TreeMap<>(java.util.Comparator.comparing(Key::name)
                .thenComparing(k -> String.join("\u0000", k.labels())));
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Every sum, for exposition. */
    public Map<Key, Double> sums() {
        Map<Key, Double> out = new java.util.TreeMap<>(java.util.Comparator.comparing(Key::name)
                .thenComparing(k -> String.join("\u0000", k.labels())));
        sums.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
