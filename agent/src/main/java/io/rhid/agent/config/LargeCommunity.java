package io.rhid.agent.config;

import java.util.Comparator;

/** A BGP large community {@code GLOBAL:LOCAL1:LOCAL2}, each part 0-4294967295 (RFC 8092). */
public record LargeCommunity(long global, long local1, long local2) implements Comparable<LargeCommunity> {

    private static final Comparator<LargeCommunity> ORDER = Comparator.comparingLong(LargeCommunity::global)
            .thenComparingLong(LargeCommunity::local1)
            .thenComparingLong(LargeCommunity::local2);

    public LargeCommunity {
        if (!Numbers.isU32(global) || !Numbers.isU32(local1) || !Numbers.isU32(local2)) {
            throw new IllegalArgumentException("large community parts must be 0-4294967295");
        }
    }

    /** Parses {@code 65000:1:2}; returns null when the text is not a large community. */
    static LargeCommunity parse(String text) {
        long[] parts = Numbers.colonSeparated(text, 3, 4294967295L);
        return parts == null ? null : new LargeCommunity(parts[0], parts[1], parts[2]);
    }

    @Override
    public int compareTo(LargeCommunity o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return global + ":" + local1 + ":" + local2;
    }
}
