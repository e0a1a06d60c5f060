package io.rhid.agent.testing;

import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** A probe whose result a test sets; records the (fake) time of every run. */
public final class ScriptedProbe implements Probe {

    private final LongSupplier clock;
    private final List<Long> runs = new ArrayList<>();
    private volatile ProbeResult next = ProbeResult.pass();
    private volatile boolean closed;

    public ScriptedProbe(LongSupplier clock) {
        this.clock = clock;
    }

    public void passing() {
        next = ProbeResult.pass();
    }

    public void failing(String reason) {
        next = ProbeResult.failure(reason);
    }

    @Override
    public synchronized ProbeResult run() {
        runs.add(clock.getAsLong());
        return next;
    }

    /** Fake times (ns) of the runs so far. */
    public synchronized List<Long> runs() {
        return List.copyOf(runs);
    }

    @Override
    public void close() {
        closed = true;
    }

    public boolean closed() {
        return closed;
    }
}
