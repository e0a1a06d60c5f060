package io.rhid.agent.router.frr;

import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code router bgp ASN [vrf NAME]} instance of FRR's bgpd.
 *
 * @param asn the local AS number, 1-4294967295
 * @param vrf the VRF name, empty for the default VRF
 */
record BgpInstance(long asn, String vrf) implements Comparable<BgpInstance> {

    /** FRR's VRF names as rhid accepts them: no spaces or other characters the CLI would split on. */
    private static final Pattern VRF = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern HEADER = Pattern.compile("router bgp ([1-9][0-9]{0,9})(?: vrf (\\S+))?");
    private static final Comparator<BgpInstance> ORDER = Comparator.comparing(BgpInstance::vrf)
            .thenComparingLong(BgpInstance::asn);

    public BgpInstance {
        Objects.requireNonNull(vrf, "vrf");
        if (asn < 1 || asn > 4294967295L) {
            throw new IllegalArgumentException("ASN out of range: " + asn);
        }
        if (!vrf.isEmpty() && !VRF.matcher(vrf).matches()) {
            throw new IllegalArgumentException("not a VRF name rhid can write: " + vrf);
        }
    }

    /**
     * The instance a {@code router bgp ...} line of FRR's running config names; empty for other
     * forms ({@code view}, an ASN out of range, a VRF name rhid would not write).
     */
    static Optional<BgpInstance> parseHeader(String line) {
        Matcher m = HEADER.matcher(line.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long asn = Long.parseLong(m.group(1));
        String vrf = m.group(2) == null || m.group(2).equals("default") ? "" : m.group(2);
        if (asn > 4294967295L || (!vrf.isEmpty() && !VRF.matcher(vrf).matches())) {
            return Optional.empty();
        }
        return Optional.of(new BgpInstance(asn, vrf));
    }

    /** {@code router bgp 65000} or {@code router bgp 65000 vrf red}, as FRR prints and accepts it. */
    public String header() {
        return vrf.isEmpty() ? "router bgp " + asn : "router bgp " + asn + " vrf " + vrf;
    }

    @Override
    public int compareTo(BgpInstance o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return header();
    }
}
