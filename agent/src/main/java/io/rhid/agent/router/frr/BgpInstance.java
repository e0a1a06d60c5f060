package io.rhid.agent.router.frr;

import java.util.Comparator;
import java.util.Objects;
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

    /** Whether FRR accepts {@code vrf} as a VRF name in the form rhid writes it. */
    static boolean writableVrf(String vrf) {
        return VRF.matcher(vrf).matches();
    }

    /** {@code router bgp 65000} or {@code router bgp 65000 vrf red}, as FRR prints and accepts it. */
    public String header() {
        return FrrSyntax.routerBgp(this);
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
