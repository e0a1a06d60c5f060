package io.rhid.agent.router.frr;

import io.rhid.agent.config.Attributes;
import io.rhid.agent.config.Community;
import io.rhid.agent.config.LargeCommunity;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders rhid's lines in FRR's configuration language: the vtysh batch that applies a
 * {@link FrrDelta} ({@code router.frr.mode: vtysh}) and the managed block of frr.conf
 * ({@code mode: reload}). Pure and byte-deterministic: route-maps sorted by name, prefixes in
 * {@link Prefix} order.
 *
 * <p>rhid owns exactly the {@code network P route-map rhid-...} lines under
 * {@code router bgp ASN [vrf V]} / {@code address-family ipv4|ipv6 unicast} and the route-maps
 * named {@code rhid-SERVICE-STATE} (services sharing a prefix joined with {@code +}) they point to.
 * Each route-map has one entry, {@code permit 10}, that sets the state's attributes; it exists
 * (empty) even when the state has none, so every {@code network} line names one. Lines are written
 * the way FRR 8.4 prints them in {@code show running-config} (well-known communities by name, set
 * lines in FRR's order), so frr-reload.py finds nothing to change in rhid's block when FRR already
 * holds it, and {@code rhid render} output can be compared with the running config by eye.
 */
public final class FrrRenderer {

    /** The prefix of every route-map rhid owns; the operator's route-maps must not use it. */
    public static final String ROUTE_MAP_PREFIX = "rhid-";
    /** The one entry of each rhid route-map. */
    public static final int SEQUENCE = 10;
    public static final String BEGIN = "! rhid begin";
    public static final String END = "! rhid end";

    /** Communities FRR 8.4 prints by name (bgpd/bgp_community.c), as ASN:VALUE. */
    private static final Map<Community, String> WELL_KNOWN = Map.ofEntries(
            Map.entry(new Community(0, 0), "internet"),
            Map.entry(new Community(65535, 0), "graceful-shutdown"),
            Map.entry(new Community(65535, 1), "accept-own"),
            Map.entry(new Community(65535, 2), "route-filter-translated-v4"),
            Map.entry(new Community(65535, 3), "route-filter-v4"),
            Map.entry(new Community(65535, 4), "route-filter-translated-v6"),
            Map.entry(new Community(65535, 5), "route-filter-v6"),
            Map.entry(new Community(65535, 6), "llgr-stale"),
            Map.entry(new Community(65535, 7), "no-llgr"),
            Map.entry(new Community(65535, 8), "accept-own-nexthop"),
            Map.entry(new Community(65535, 666), "blackhole"),
            Map.entry(new Community(65535, 65281), "no-export"),
            Map.entry(new Community(65535, 65282), "no-advertise"),
            Map.entry(new Community(65535, 65283), "local-AS"),
            Map.entry(new Community(65535, 65284), "no-peer"));
    private static final Map<String, Community> BY_NAME = inverse();

    private FrrRenderer() {
    }

    /** The instance {@code frr} names: {@code router bgp ASN [vrf VRF]}. */
    public static BgpInstance instance(RouterConfig.Frr frr) {
        return new BgpInstance(frr.asn(), frr.vrf());
    }

    /** {@code rhid-SERVICE-STATE}; services sharing the prefix joined with {@code +}, in order. */
    public static String routeMapName(Announcement a) {
        return ROUTE_MAP_PREFIX + String.join("+", a.services()) + "-" + a.state().label();
    }

    /**
     * Every route-map {@code desired} needs, with the attributes it sets. Announcements with the
     * same services and state always carry the same attributes (the planner derives them from
     * exactly those), so a name never needs two attribute sets.
     */
    public static SortedMap<String, Attributes> routeMaps(DesiredState desired) {
        SortedMap<String, Attributes> maps = new TreeMap<>();
        for (Announcement a : desired.announcements().values()) {
            String name = routeMapName(a);
            Attributes previous = maps.putIfAbsent(name, a.attributes());
            if (previous != null && !previous.equals(a.attributes())) {
                throw new IllegalStateException("route-map " + name + " would need two attribute sets: " + previous
                        + " and " + a.attributes() + " (" + a.prefix() + ")");
            }
        }
        return maps;
    }

    /**
     * The {@code set} lines of a route-map entry for {@code attrs}, in the order and spelling
     * FRR 8.4 prints them; {@code asn} is the local ASN that {@code prepend} repeats. MED is
     * {@code set metric}; communities are added to whatever the route carries ({@code additive}).
     */
    public static List<String> setLines(Attributes attrs, long asn) {
        List<String> lines = new ArrayList<>(4);
        if (attrs.prepend() > 0) {
            StringBuilder s = new StringBuilder("set as-path prepend");
            for (int i = 0; i < attrs.prepend(); i++) {
                s.append(' ').append(asn);
            }
            lines.add(s.toString());
        }
        if (!attrs.communities().isEmpty()) {
            StringBuilder s = new StringBuilder("set community");
            for (Community c : attrs.communities()) {
                s.append(' ').append(community(c));
            }
            lines.add(s.append(" additive").toString());
        }
        if (!attrs.largeCommunities().isEmpty()) {
            StringBuilder s = new StringBuilder("set large-community");
            for (LargeCommunity c : attrs.largeCommunities()) {
                s.append(' ').append(c);
            }
            lines.add(s.append(" additive").toString());
        }
        if (attrs.med().isPresent()) {
            lines.add("set metric " + attrs.med().getAsLong());
        }
        return lines;
    }

    /** A community as FRR prints it: its well-known name, else {@code ASN:VALUE}. */
    public static String community(Community c) {
        return WELL_KNOWN.getOrDefault(c, c.toString());
    }

    /** Parses a community as FRR prints it (a well-known name or {@code ASN:VALUE}). */
    public static Optional<Community> parseCommunity(String token) {
        Community named = BY_NAME.get(token);
        if (named != null) {
            return Optional.of(named);
        }
        int colon = token.indexOf(':');
        if (colon <= 0 || !token.substring(0, colon).matches("\\d{1,5}") || !token.substring(colon + 1).matches("\\d{1,5}")) {
            return Optional.empty();
        }
        int asn = Integer.parseInt(token.substring(0, colon));
        int value = Integer.parseInt(token.substring(colon + 1));
        return asn <= 65535 && value <= 65535 ? Optional.of(new Community(asn, value)) : Optional.empty();
    }

    /** {@code network P route-map NAME}. */
    public static String networkLine(Prefix p, String routeMap) {
        return "network " + p + " route-map " + routeMap;
    }

    /** The delta that turns an FRR without any rhid lines into {@code desired}. */
    public static FrrDelta initialDelta(DesiredState desired, BgpInstance instance) {
        SortedMap<String, FrrDelta.RouteMapEdit> maps = new TreeMap<>();
        routeMaps(desired).forEach((name, attrs) ->
                maps.put(name, new FrrDelta.RouteMapEdit(true, setLines(attrs, instance.asn()), new TreeMap<>())));
        SortedMap<Prefix, String> announce = new TreeMap<>();
        for (Announcement a : desired.announcements().values()) {
            announce.put(a.prefix(), routeMapName(a));
        }
        return new FrrDelta(instance, maps, announce, new TreeMap<>(), new TreeSet<>(), new TreeSet<>());
    }

    /**
     * The vtysh batch for {@code delta}, for {@code vtysh -f}: route-maps first (so no
     * {@code network} line ever names a missing one), then the {@code network} lines (removals
     * before additions), then the route-maps nothing uses any more. vtysh runs it in config mode
     * and ignores the {@code !} comment lines.
     */
    public static String batch(FrrDelta delta) {
        StringBuilder out = new StringBuilder(256 + 56 * (delta.announce().size() + delta.withdrawCount()));
        out.append("! rhid vtysh batch for ").append(delta.instance().header()).append(": ").append(delta.summary()).append('\n');
        for (Map.Entry<String, FrrDelta.RouteMapEdit> e : delta.routeMaps().entrySet()) {
            FrrDelta.RouteMapEdit edit = e.getValue();
            out.append("route-map ").append(e.getKey()).append(" permit ").append(SEQUENCE).append('\n');
            for (String line : edit.lines()) {
                out.append(' ').append(line).append('\n');
            }
            out.append("exit\n");
            edit.deleteEntries().forEach((seq, action) ->
                    out.append("no route-map ").append(e.getKey()).append(' ').append(action).append(' ').append(seq).append('\n'));
        }
        SortedSet<BgpInstance> instances = new TreeSet<>(delta.withdraw().keySet());
        if (!delta.announce().isEmpty()) {
            instances.add(delta.instance());
        }
        for (BgpInstance instance : instances) {
            SortedSet<Prefix> gone = delta.withdraw().getOrDefault(instance, new TreeSet<>());
            SortedMap<Prefix, String> added = instance.equals(delta.instance()) ? delta.announce() : new TreeMap<>();
            out.append(instance.header()).append('\n');
            for (boolean v6 : new boolean[] {false, true}) {
                List<String> lines = new ArrayList<>();
                for (Prefix p : gone) {
                    if (p.v6() == v6) {
                        lines.add("no network " + p);
                    }
                }
                added.forEach((p, map) -> {
                    if (p.v6() == v6) {
                        lines.add(networkLine(p, map));
                    }
                });
                if (!lines.isEmpty()) {
                    out.append(" address-family ").append(v6 ? "ipv6" : "ipv4").append(" unicast\n");
                    for (String line : lines) {
                        out.append("  ").append(line).append('\n');
                    }
                    out.append(" exit-address-family\n");
                }
            }
            out.append("exit\n");
        }
        for (String name : delta.deleteRouteMaps()) {
            out.append("no route-map ").append(name).append('\n');
        }
        return out.toString();
    }

    /**
     * The managed block of frr.conf for {@code mode: reload}, markers included: rhid's route-maps,
     * then a {@code router bgp} section holding only rhid's {@code network} lines. FRR and
     * frr-reload.py merge this second section of the same instance into the operator's, so the
     * block sits at the top level of the file (rhid appends it at the end) and the operator's
     * {@code router bgp} section stays untouched.
     */
    public static String block(DesiredState desired, RouterConfig.Frr frr) {
        BgpInstance instance = instance(frr);
        StringBuilder out = new StringBuilder(256 + 56 * desired.announcements().size());
        out.append(BEGIN).append('\n');
        out.append("! Managed by rhid (router.frr.mode: reload): rewritten on every change, do not edit\n");
        out.append("! between these markers. Keep the block at the top level of the file.\n");
        routeMaps(desired).forEach((name, attrs) -> {
            out.append("route-map ").append(name).append(" permit ").append(SEQUENCE).append('\n');
            for (String line : setLines(attrs, frr.asn())) {
                out.append(' ').append(line).append('\n');
            }
            out.append("exit\n!\n");
        });
        if (!desired.announcements().isEmpty()) {
            out.append(instance.header()).append('\n');
            boolean first = true;
            for (boolean v6 : new boolean[] {false, true}) {
                List<String> lines = new ArrayList<>();
                for (Announcement a : desired.announcements().values()) {
                    if (a.prefix().v6() == v6) {
                        lines.add(networkLine(a.prefix(), routeMapName(a)));
                    }
                }
                if (lines.isEmpty()) {
                    continue;
                }
                if (!first) {
                    out.append(" !\n");
                }
                first = false;
                out.append(" address-family ").append(v6 ? "ipv6" : "ipv4").append(" unicast\n");
                for (String line : lines) {
                    out.append("  ").append(line).append('\n');
                }
                out.append(" exit-address-family\n");
            }
            out.append("exit\n");
        }
        out.append(END).append('\n');
        return out.toString();
    }

    private static Map<String, Community> inverse() {
        Map<String, Community> m = new java.util.HashMap<>();
        WELL_KNOWN.forEach((c, name) -> m.put(name, c));
        return Map.copyOf(m);
    }
}
