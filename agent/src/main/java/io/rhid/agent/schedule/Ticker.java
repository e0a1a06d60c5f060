package io.rhid.agent.schedule;

/** A monotonic nanosecond clock, injected so that timing logic is tested without sleeping. */
@FunctionalInterface
public interface Ticker {

    Ticker SYSTEM = System::nanoTime;

    long nanos();
}
