package io.rhid.agent.config;

import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 prefix with no host bits set, such as {@code 198.51.100.53/32} or
 * {@code 2001:db8::/48}.
 *
 * <p>The address is held as 128 bits ({@code high}, {@code low}; an IPv4 address in the low 32
 * bits) so that prefixes compare, sort and hash as values. {@link #toString()} is the canonical
 * text (RFC 5952 for IPv6), the only form rhid ever writes into BIRD or FRR config or passes to
 * {@code ip}.
 */
public record Prefix(boolean v6, long high, long low, int length) implements Comparable<Prefix> {

    /** A prefix length as written: no sign, no leading zero (compiled once: BIRD's replies hold thousands). */
    private static final Pattern LENGTH = Pattern.compile("0|[1-9]\\d{0,2}");

    private static final Comparator<Prefix> ORDER = Comparator.comparing(Prefix::v6)
            .thenComparing(Prefix::high, Long::compareUnsigned)
            .thenComparing(Prefix::low, Long::compareUnsigned)
            .thenComparingInt(Prefix::length);

    private static final Pattern V4 = Pattern.compile("(0|[1-9]\\d{0,2})(\\.(0|[1-9]\\d{0,2})){3}");
    private static final Pattern V6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    public Prefix {
        int max = v6 ? 128 : 32;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0-" + max);
        }
        if (!v6 && (high != 0 || (low >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 address wider than 32 bits");
        }
        if (((high & ~maskHigh(v6, length)) | (low & ~maskLow(v6, length))) != 0) {
            throw new IllegalArgumentException("host bits set");
        }
    }

    /** The result of parsing: a prefix, or a message saying what is wrong with the text. */
    public record Parsed(Prefix prefix, String error) {
    }

    /**
     * Parses {@code text}: an address with a length ({@code 198.51.100.0/24}) or a bare address
     * (meaning /32 or /128). Never resolves names; rejects host bits, leading zeros in IPv4 octets
     * and IPv4-mapped IPv6 addresses, so that every prefix has exactly one spelling.
     */
    public static Parsed parse(String text) {
        String addr = text;
        Integer len = null;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            addr = text.substring(0, slash);
            String lenText = text.substring(slash + 1);
            if (!LENGTH.matcher(lenText).matches()) {
                return new Parsed(null, "must be an IPv4 or IPv6 prefix such as 198.51.100.53/32 or 2001:db8::53/128 (found "
                        + quote(text) + ")");
            }
            len = Integer.parseInt(lenText);
        }
        long[] bits = addr.contains(":") ? parseV6(addr) : parseV4(addr);
        if (bits == null) {
            return new Parsed(null, "must be an IPv4 or IPv6 prefix such as 198.51.100.53/32 or 2001:db8::53/128 (found "
                    + quote(text) + ")");
        }
        boolean v6 = addr.contains(":");
        int max = v6 ? 128 : 32;
        int length = len == null ? max : len;
        if (length > max) {
            return new Parsed(null, "prefix length must be 0-" + max + " for " + (v6 ? "IPv6" : "IPv4")
                    + " (found " + quote(text) + ")");
        }
        long hi = bits[0];
        long lo = bits[1];
        long netHi = hi & maskHigh(v6, length);
        long netLo = lo & maskLow(v6, length);
        if (netHi != hi || netLo != lo) {
            Prefix network = new Prefix(v6, netHi, netLo, length);
            return new Parsed(null, "has host bits set (found " + quote(text) + ", the network is " + network + ")");
        }
        return new Parsed(new Prefix(v6, hi, lo, length), null);
    }

    /** Parses text known to be valid, such as a constant in code or tests. */
    public static Prefix of(String text) {
        Parsed parsed = parse(text);
        if (parsed.prefix() == null) {
            throw new IllegalArgumentException(parsed.error());
        }
        return parsed.prefix();
    }

    /** Whether this prefix is a single address: /32 for IPv4, /128 for IPv6. */
    public boolean isHost() {
        return length == (v6 ? 128 : 32);
    }

    /** Whether {@code other} lies inside this prefix (a prefix contains itself). */
    public boolean contains(Prefix other) {
        if (other.v6 != v6 || other.length < length) {
            return false;
        }
        return (other.high & maskHigh(v6, length)) == high && (other.low & maskLow(v6, length)) == low;
    }

    /** The address part in canonical text, without the length. */
    public String address() {
        if (!v6) {
            return (low >>> 24 & 0xff) + "." + (low >>> 16 & 0xff) + "." + (low >>> 8 & 0xff) + "." + (low & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i) & 0xffff);
            groups[i + 4] = (int) (low >>> (48 - 16 * i) & 0xffff);
        }
        // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    @Override
    public int compareTo(Prefix other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return address() + "/" + length;
    }

    private static long maskHigh(boolean v6, int length) {
        if (!v6) {
            return 0;
        }
        return length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
    }

    private static long maskLow(boolean v6, int length) {
        if (!v6) {
            return length == 0 ? 0 : (0xffffffffL << (32 - length)) & 0xffffffffL;
        }
        return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    }

    private static long[] parseV4(String text) {
        if (!V4.matcher(text).matches()) {
            return null;
        }
        long value = 0;
        for (String octet : text.split("\\.")) {
            int o = Integer.parseInt(octet);
            if (o > 255) {
                return null;
            }
            value = value << 8 | o;
        }
        return new long[] {0, value};
    }

    private static long[] parseV6(String text) {
        if (!V6_CHARS.matcher(text).matches() || text.contains(":::")) {
            return null;
        }
        String head = text;
        String tail = "";
        int gap = text.indexOf("::");
        if (gap >= 0) {
            if (text.indexOf("::", gap + 1) >= 0) {
                return null;
            }
            head = text.substring(0, gap);
            tail = text.substring(gap + 2);
        }
        int[] headGroups = groups(head, gap >= 0 && tail.isEmpty());
        int[] tailGroups = groups(tail, true);
        if (headGroups == null || tailGroups == null) {
            return null;
        }
        int total = headGroups.length + tailGroups.length;
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        int[] all = new int[8];
        System.arraycopy(headGroups, 0, all, 0, headGroups.length);
        System.arraycopy(tailGroups, 0, all, 8 - tailGroups.length, tailGroups.length);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = hi << 16 | all[i];
            lo = lo << 16 | all[i + 4];
        }
        // ::ffff:a.b.c.d names an IPv4 host; rhid accepts it only in its IPv4 spelling.
        if (hi == 0 && (lo >>> 32) == 0xffff) {
            return null;
        }
        return new long[] {hi, lo};
    }

    /** The 16-bit groups of one side of "::"; the last group may be a dotted IPv4 address. */
    private static int[] groups(String part, boolean mayEndWithV4) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] fields = part.split(":", -1);
        int extra = 0;
        String last = fields[fields.length - 1];
        long[] v4 = null;
        if (last.contains(".")) {
            if (!mayEndWithV4) {
                return null;
            }
            v4 = parseV4(last);
            if (v4 == null) {
                return null;
            }
            extra = 1;
        }
        int[] out = new int[fields.length + extra];
        int n = v4 == null ? fields.length : fields.length - 1;
        for (int i = 0; i < n; i++) {
            if (!fields[i].matches("[0-9a-fA-F]{1,4}")) {
                return null;
            }
            out[i] = Integer.parseInt(fields[i], 16);
        }
        if (v4 != null) {
            out[n] = (int) (v4[1] >>> 16);
            out[n + 1] = (int) (v4[1] & 0xffff);
        }
        return out;
    }

    private static String quote(String s) {
        return '"' + s + '"';
    }
}
