package io.rhid.agent.config;

/** A standard BGP community {@code ASN:VALUE}, each part 0-65535 (RFC 1997). */
public record Community(int asn, int value) implements Comparable<Community> {

    /** RFC 8326 GRACEFUL_SHUTDOWN: receivers lower the route's preference before it is withdrawn. */
    public static final Community GRACEFUL_SHUTDOWN = new Community(65535, 0);

    public Community {
        if (asn < 0 || asn > 65535 || value < 0 || value > 65535) {
            throw new IllegalArgumentException("community parts must be 0-65535");
        }
    }

    /** Parses {@code 65000:100}; returns null when the text is not a community. */
    static Community parse(String text) {
        long[] parts = Numbers.colonSeparated(text, 2, 65535);
        return parts == null ? null : new Community((int) parts[0], (int) parts[1]);
    }

    @Override
    public int compareTo(Community o) {
        return asn != o.asn ? Integer.compare(asn, o.asn) : Integer.compare(value, o.value);
    }

    @Override
    public String toString() {
        return asn + ":" + value;
    }
}
