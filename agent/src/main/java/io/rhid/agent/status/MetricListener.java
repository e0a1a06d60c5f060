package io.rhid.agent.status;

/**
 * The one way the control loop reports a measurement: a family, a value and its label values in
 * the family's order. What the value means follows the family's type: a counter adds it, a gauge
 * takes it, a histogram observes it. Implementations are safe to call from any thread.
 */
@FunctionalInterface
public interface MetricListener {

    void record(Metric family, double value, String... labels);

    /** Counts one event. */
    default void increment(Metric family, String... labels) {
        record(family, 1, labels);
    }
}
