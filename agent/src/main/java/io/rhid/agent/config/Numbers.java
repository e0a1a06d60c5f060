package io.rhid.agent.config;

/** Parsing of the colon-separated unsigned numbers that BGP communities are written as. */
final class Numbers {

    private Numbers() {
    }

    static boolean isU32(long v) {
        return v >= 0 && v <= 4294967295L;
    }

    /** {@code count} decimal parts separated by colons, each at most {@code max}; else null. */
    static long[] colonSeparated(String text, int count, long max) {
        String[] parts = text.split(":", -1);
        if (parts.length != count) {
            return null;
        }
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            if (!parts[i].matches("0|[1-9]\\d{0,9}")) {
                return null;
            }
            out[i] = Long.parseLong(parts[i]);
            if (out[i] > max) {
                return null;
            }
        }
        return out;
    }
}
