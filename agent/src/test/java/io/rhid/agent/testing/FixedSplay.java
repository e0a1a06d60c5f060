package io.rhid.agent.testing;

import java.util.random.RandomGenerator;

/**
 * The scheduler's random source for tests: every draw, bounded or not, is the same value, so a
 * check's first run (its splay) comes at a known time.
 */
public final class FixedSplay implements RandomGenerator {

    /** No splay: every check's first run is at once. */
    public static final RandomGenerator NONE = new FixedSplay(0);

    private final long nanos;

    public FixedSplay(long nanos) {
        this.nanos = nanos;
    }

    @Override
    public long nextLong() {
        return nanos;
    }

    @Override
    public long nextLong(long bound) {
        return nanos;
    }
}
