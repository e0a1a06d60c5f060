package io.rhid.agent.router.exabgp;

import io.rhid.agent.config.Attributes;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import java.util.Collection;
import java.util.OptionalLong;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Renders announcements as ExaBGP 4.2 text API commands; pure and byte-deterministic, so it is
 * also what {@code rhid render} prints.
 */
final class ExabgpRenderer {

    private ExabgpRenderer() {
    }

    /**
     * {@code announce route P next-hop self [med N] [community [..]] [large-community [..]] [as-path [..]]}.
     * ExaBGP sends an AS path given here exactly as written (it adds its own ASN only when no
     * path is given), so a prepend of n is the local ASN n + 1 times.
     */
    static String announce(Announcement a, OptionalLong asn) {
        Attributes attrs = a.attributes();
        StringBuilder s = new StringBuilder("announce route ").append(a.prefix()).append(" next-hop self");
        if (attrs.med().isPresent()) {
            s.append(" med ").append(attrs.med().getAsLong());
        }
        if (!attrs.communities().isEmpty()) {
            s.append(" community [").append(join(attrs.communities())).append(']');
        }
        if (!attrs.largeCommunities().isEmpty()) {
            s.append(" large-community [").append(join(attrs.largeCommunities())).append(']');
        }
        if (attrs.prepend() > 0) {
            // The binder refuses prepend without router.exabgp.asn, so this holds for bound configs.
            long local = asn.orElseThrow(() -> new IllegalStateException("prepend without router.exabgp.asn"));
            StringBuilder path = new StringBuilder();
            for (int i = 0; i <= attrs.prepend(); i++) {
                path.append(i == 0 ? "" : " ").append(local);
            }
            s.append(" as-path [").append(path).append(']');
        }
        return s.toString();
    }

    static String withdraw(Prefix p) {
        return "withdraw route " + p;
    }

    /**
     * What the first apply of {@code desired} sends: a withdrawal for every prefix rhid may have
     * announced ({@code managed}) that is not wanted now, then the announcements.
     */
    static String render(DesiredState desired, Collection<Prefix> managed, OptionalLong asn) {
        StringBuilder out = new StringBuilder();
        SortedSet<Prefix> withdraw = new TreeSet<>(managed);
        withdraw.removeAll(desired.announcements().keySet());
        for (Prefix p : withdraw) {
            out.append(withdraw(p)).append('\n');
        }
        for (Announcement a : desired.announcements().values()) {
            out.append(announce(a, asn)).append('\n');
        }
        return out.toString();
    }

    private static String join(Collection<?> values) {
        return values.stream().map(Object::toString).collect(Collectors.joining(" "));
    }
}
