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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * FRR's configuration language as far as rhid writes and reads it, in one place: renders the vtysh
 * batch that applies a {@link FrrDelta} ({@code router.frr.mode: vtysh}) and the managed block of
 * frr.conf ({@code mode: reload}), and recognizes the same lines (route-map headers, {@code network}
 * lines, {@code set} lines, communities) when {@link FrrRunningConfig} reads them back. Pure and
 * byte-deterministic: route-maps sorted by name, prefixes in {@link Prefix} order.
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
final class FrrSyntax {

    /** The prefix of every route-map rhid owns; the operator's route-maps must not use it. */
    static final String ROUTE_MAP_PREFIX = "rhid-";
    /** The one entry of each rhid route-map. */
    static final int SEQUENCE = 10;
    static final String BEGIN = "! rhid begin";
    static final String END = "! rhid end";

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
    private static final Pattern ROUTER_BGP = Pattern.compile("router bgp ([1-9][0-9]{0,9})(?: vrf (\\S+))?");
    private static final Pattern RHID_ROUTE_MAP_NAME = Pattern.compile(Pattern.quote(ROUTE_MAP_PREFIX) + "[A-Za-z0-9_+.:-]*");
    private static final Pattern ROUTE_MAP_HEADER = Pattern.compile("route-map (\\S+) (permit|deny) (\\d{1,5})");
    /** rhid's lines as they may appear anywhere in a config file, indented or not. */
    private static final Pattern RHID_NETWORK_ANYWHERE = Pattern.compile("\\s*network\\s+\\S+.*\\sroute-map\\s+"
            + Pattern.quote(ROUTE_MAP_PREFIX) + ".*");
    private static final Pattern RHID_ROUTE_MAP_ANYWHERE = Pattern.compile("route-map\\s+" + Pattern.quote(ROUTE_MAP_PREFIX) + ".*");
    /** The kinds of {@code set} line rhid writes; a {@code set} of a kind replaces the previous value. */
    private static final List<String> SET_KINDS = List.of("set as-path prepend", "set community", "set large-community",
            "set metric");
    /** Lines whose negation is not simply {@code no LINE}. */
    private static final Map<String, String> NEGATIONS = Map.of("description", "no description", "call", "no call");

    private FrrSyntax() {
    }

    /** The instance {@code frr} names: {@code router bgp ASN [vrf VRF]}. */
    static BgpInstance instance(RouterConfig.Frr frr) {
        return new BgpInstance(frr.asn(), frr.vrf());
    }

    /** {@code router bgp 65000} or {@code router bgp 65000 vrf red}, as FRR prints and accepts it. */
    static String routerBgp(BgpInstance instance) {
        return instance.vrf().isEmpty() ? "router bgp " + instance.asn() : "router bgp " + instance.asn() + " vrf " + instance.vrf();
    }

    /** {@code rhid-SERVICE-STATE}; services sharing the prefix joined with {@code +}, in order. */
    static String routeMapName(Announcement a) {
        return ROUTE_MAP_PREFIX + String.join("+", a.services()) + "-" + a.state().label();
    }

    /**
     * Every route-map {@code desired} needs, with the attributes it sets. Announcements with the
     * same services and state always carry the same attributes (the planner derives them from
     * exactly those), so a name never needs two attribute sets.
     */
    static SortedMap<String, Attributes> routeMaps(DesiredState desired) {
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
    static List<String> setLines(Attributes attrs, long asn) {
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
    static String community(Community c) {
        return WELL_KNOWN.getOrDefault(c, c.toString());
    }

    /** Parses a community as FRR prints it (a well-known name or {@code ASN:VALUE}). */
    static Optional<Community> parseCommunity(String token) {
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
    static String networkLine(Prefix p, String routeMap) {
        return "network " + p + " route-map " + routeMap;
    }

    /**
     * The vtysh batch for {@code delta}, for {@code vtysh -f}: route-maps first (so no
     * {@code network} line ever names a missing one), then the {@code network} lines (removals
     * before additions), then the route-maps nothing uses any more. vtysh runs it in config mode
     * and ignores the {@code !} comment lines.
     */
    static String batch(FrrDelta delta) {
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
                    addressFamily(out, v6, lines);
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
    static String block(DesiredState desired, RouterConfig.Frr frr) {
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
                addressFamily(out, v6, lines);
            }
            out.append("exit\n");
        }
        out.append(END).append('\n');
        return out.toString();
    }

    /** An {@code address-family ipv4|ipv6 unicast} section holding {@code lines}, as FRR indents it. */
    private static void addressFamily(StringBuilder out, boolean v6, List<String> lines) {
        out.append(" address-family ").append(v6 ? "ipv6" : "ipv4").append(" unicast\n");
        for (String line : lines) {
            out.append("  ").append(line).append('\n');
        }
        out.append(" exit-address-family\n");
    }

    // ---- reading: the same lines as FRR prints them back ----------------------------------------

    /**
     * The instance a {@code router bgp ...} line of FRR's running config names; empty for other
     * forms ({@code view}, an ASN out of range, a VRF name rhid would not write).
     */
    static Optional<BgpInstance> routerBgp(String line) {
        Matcher m = ROUTER_BGP.matcher(line.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long asn = Long.parseLong(m.group(1));
        String vrf = m.group(2) == null || m.group(2).equals("default") ? "" : m.group(2);
        if (asn > 4294967295L || (!vrf.isEmpty() && !BgpInstance.writableVrf(vrf))) {
            return Optional.empty();
        }
        return Optional.of(new BgpInstance(asn, vrf));
    }

    /** One {@code route-map NAME ACTION SEQUENCE} header line. */
    record RouteMapHeader(String name, String action, int sequence) {
    }

    /** One {@code network P [... route-map NAME]} line; {@code routeMap} is null when it names none. */
    record Network(Prefix prefix, String routeMap) {
    }

    /** Whether a route-map of this name is rhid's. */
    static boolean isRhidRouteMap(String name) {
        return name != null && RHID_ROUTE_MAP_NAME.matcher(name).matches();
    }

    /** The header of one of rhid's route-maps, from a top-level line with spaces collapsed; empty for any other line. */
    static Optional<RouteMapHeader> rhidRouteMapHeader(String line) {
        Matcher m = ROUTE_MAP_HEADER.matcher(line);
        if (!m.matches() || !isRhidRouteMap(m.group(1))) {
            return Optional.empty();
        }
        return Optional.of(new RouteMapHeader(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
    }

    /**
     * The {@code network} line {@code line} (spaces collapsed) in an address family of {@code v6};
     * empty when it is not in a form rhid writes (FRR prints prefixes canonically).
     */
    static Optional<Network> network(String line, boolean v6) {
        String[] tokens = line.split(" ");
        Prefix.Parsed parsed = Prefix.parse(tokens[1]);
        if (parsed.prefix() == null || parsed.prefix().v6() != v6) {
            return Optional.empty();
        }
        String routeMap = null;
        for (int i = 2; i + 1 < tokens.length; i++) {
            if (tokens[i].equals("route-map")) {
                routeMap = tokens[i + 1];
            }
        }
        return Optional.of(new Network(parsed.prefix(), routeMap));
    }

    /** Whether a line of a config file looks like one of rhid's ({@code network ... route-map rhid-...}, {@code route-map rhid-...}). */
    static boolean looksLikeRhidLine(String line) {
        return RHID_NETWORK_ANYWHERE.matcher(line).matches() || RHID_ROUTE_MAP_ANYWHERE.matcher(line).matches();
    }

    /** The kind of {@code set} line rhid writes ({@code set community}, ...), or null for any other line. */
    static String setKind(String line) {
        for (String k : SET_KINDS) {
            if (line.startsWith(k + " ")) {
                return k;
            }
        }
        return null;
    }

    /** The line that removes {@code line} from a route-map entry. */
    static String negation(String line) {
        return NEGATIONS.getOrDefault(line.split(" ")[0], "no " + line);
    }

    /**
     * A community line in rhid's spelling (sorted, unique, well-known names), so that FRR's
     * spelling of the same set compares equal; other lines unchanged.
     */
    static String normalize(String line) {
        if (!line.endsWith(" additive")) {
            return line;
        }
        String kind = setKind(line);
        String[] tokens = line.substring(kind.length() + 1, line.length() - " additive".length()).split(" ");
        if ("set community".equals(kind)) {
            TreeSet<Community> set = new TreeSet<>();
            for (String t : tokens) {
                Optional<Community> c = parseCommunity(t);
                if (c.isEmpty()) {
                    return line;
                }
                set.add(c.get());
            }
            return "set community " + set.stream().map(FrrSyntax::community).collect(Collectors.joining(" ")) + " additive";
        }
        if ("set large-community".equals(kind)) {
            TreeSet<LargeCommunity> set = new TreeSet<>();
            for (String t : tokens) {
                String[] parts = t.split(":");
                if (parts.length != 3 || !t.matches("\\d{1,10}:\\d{1,10}:\\d{1,10}")) {
                    return line;
                }
                try {
                    set.add(new LargeCommunity(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])));
                } catch (IllegalArgumentException e) {
                    return line;
                }
            }
            return "set large-community " + set.stream().map(Object::toString).collect(Collectors.joining(" ")) + " additive";
        }
        return line;
    }

    private static Map<String, Community> inverse() {
        Map<String, Community> m = new java.util.HashMap<>();
        WELL_KNOWN.forEach((c, name) -> m.put(name, c));
        return Map.copyOf(m);
    }
}
