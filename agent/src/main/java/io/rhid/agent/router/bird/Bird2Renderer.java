package io.rhid.agent.router.bird;

import io.rhid.agent.config.Attributes;
import io.rhid.agent.config.Community;
import io.rhid.agent.config.LargeCommunity;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Renders the BIRD 2 include file: a static protocol per address family with one blackhole route
 * per announced prefix, and {@code rhid_export()}, which the operator's BGP export filter calls.
 * Pure and byte-deterministic.
 *
 * <p>The function accepts exactly the routes of rhid's protocols and sets each state's attributes.
 * MED is set here because BIRD zeroes {@code bgp_med} on export to an eBGP peer unless the export
 * filter sets it. Prefixes sharing an attribute set are matched with one prefix set
 * ({@code net ~ [ ... ]}), which BIRD compiles to a trie, so the function stays fast with 10,000
 * prefixes; {@code case} on prefixes does not parse in BIRD 2.0.12. Both protocols and the function
 * are always present, so the operator's bird.conf stays valid with nothing announced.
 */
final class Bird2Renderer {

    private Bird2Renderer() {
    }

    static String render(DesiredState desired, RouterConfig.Bird bird) {
        List<Announcement> v4 = new ArrayList<>();
        List<Announcement> v6 = new ArrayList<>();
        for (Announcement a : desired.announcements().values()) {
            (a.prefix().v6() ? v6 : v4).add(a);
        }
        StringBuilder out = new StringBuilder(128 + 48 * desired.announcements().size());
        out.append("# Written by rhid: the anycast prefixes this host announces. Do not edit: rhid\n")
                .append("# rewrites this file on every change and repairs edits. bird.conf includes it and\n")
                .append("# its BGP export filters call rhid_export().\n\n");
        staticProtocol(out, bird.protocolV4(), "ipv4", v4);
        staticProtocol(out, bird.protocolV6(), "ipv6", v6);
        out.append("function rhid_export()\n{\n");
        out.append("\tif proto != \"").append(bird.protocolV4()).append("\" && proto != \"")
                .append(bird.protocolV6()).append("\" then return false;\n");
        groups(out, v4, bird);
        groups(out, v6, bird);
        out.append("\treturn true;\n}\n");
        return out.toString();
    }

    private static void staticProtocol(StringBuilder out, String name, String channel, List<Announcement> routes) {
        out.append("protocol static ").append(name).append(" {\n\t").append(channel).append(";\n");
        for (Announcement a : routes) {
            out.append("\troute ").append(a.prefix()).append(" blackhole;\n");
        }
        out.append("}\n\n");
    }

    /** One {@code if net ~ [ ... ]} block per distinct, non-empty attribute set, in prefix order. */
    private static void groups(StringBuilder out, List<Announcement> routes, RouterConfig.Bird bird) {
        Map<Attributes, List<Announcement>> byAttributes = new LinkedHashMap<>();
        for (Announcement a : routes) {
            if (!a.attributes().isEmpty()) {
                byAttributes.computeIfAbsent(a.attributes(), k -> new ArrayList<>()).add(a);
            }
        }
        for (Map.Entry<Attributes, List<Announcement>> group : byAttributes.entrySet()) {
            TreeSet<String> services = new TreeSet<>();
            TreeSet<String> states = new TreeSet<>();
            for (Announcement a : group.getValue()) {
                services.addAll(a.services());
                states.add(a.state().label());
            }
            out.append("\t# ").append(String.join(", ", states)).append(": ").append(String.join(", ", services)).append('\n');
            out.append("\tif net ~ [ ");
            List<Announcement> members = group.getValue();
            for (int i = 0; i < members.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                Prefix p = members.get(i).prefix();
                out.append(p);
            }
            out.append(" ] then {\n");
            Attributes attrs = group.getKey();
            for (Community c : attrs.communities()) {
                out.append("\t\tbgp_community.add((").append(c.asn()).append(',').append(c.value()).append("));\n");
            }
            for (LargeCommunity c : attrs.largeCommunities()) {
                out.append("\t\tbgp_large_community.add((").append(c.global()).append(',').append(c.local1())
                        .append(',').append(c.local2()).append("));\n");
            }
            if (attrs.med().isPresent()) {
                out.append("\t\tbgp_med = ").append(attrs.med().getAsLong()).append(";\n");
            }
            for (int i = 0; i < attrs.prepend(); i++) {
                // Validation guarantees the ASN whenever prepend > 0 with BIRD.
                out.append("\t\tbgp_path.prepend(").append(bird.asn().orElseThrow()).append(");\n");
            }
            out.append("\t\treturn true;\n\t}\n");
        }
    }
}
