package io.rhid.agent.router.frr;

import io.rhid.agent.config.Attributes;
import io.rhid.agent.config.Community;
import io.rhid.agent.config.LargeCommunity;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * bgpd's running config ({@code vtysh -d bgpd -c 'show running-config'}) as far as rhid cares: the
 * BGP instances, their {@code network} lines in the IPv4 and IPv6 unicast address families, and the
 * route-maps named {@code rhid-*}. Pure: parsing and the delta to a desired state do no I/O.
 *
 * <p>Ownership is by name: a {@code network} line is rhid's when its route-map starts with
 * {@code rhid-}; every other {@code network} line is the operator's and never touched.
 */
final class FrrRunningConfig {

    /** One entry of a route-map: {@code route-map NAME ACTION SEQUENCE} and its indented lines. */
    record Entry(String action, int sequence, List<String> lines) {
        Entry {
            lines = List.copyOf(lines);
        }
    }

    private static final Pattern RHID_ROUTE_MAP = Pattern.compile(Pattern.quote(FrrRenderer.ROUTE_MAP_PREFIX)
            + "[A-Za-z0-9_+.:-]*");
    private static final Pattern ROUTE_MAP_HEADER = Pattern.compile("route-map (\\S+) (permit|deny) (\\d{1,5})");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Map<String, String> NEGATIONS = Map.of("description", "no description", "call", "no call");

    private final SortedSet<BgpInstance> instances;
    private final List<String> otherInstances;
    private final SortedMap<BgpInstance, SortedMap<Prefix, String>> rhidNetworks;
    private final SortedMap<BgpInstance, SortedSet<Prefix>> operatorNetworks;
    private final SortedMap<String, SortedMap<Integer, Entry>> rhidRouteMaps;

    private FrrRunningConfig(SortedSet<BgpInstance> instances, List<String> otherInstances,
                             SortedMap<BgpInstance, SortedMap<Prefix, String>> rhidNetworks,
                             SortedMap<BgpInstance, SortedSet<Prefix>> operatorNetworks,
                             SortedMap<String, SortedMap<Integer, Entry>> rhidRouteMaps) {
        this.instances = Collections.unmodifiableSortedSet(instances);
        this.otherInstances = List.copyOf(otherInstances);
        this.rhidNetworks = rhidNetworks;
        this.operatorNetworks = operatorNetworks;
        this.rhidRouteMaps = rhidRouteMaps;
    }

    private enum Context { NONE, ROUTER_BGP, RHID_ROUTE_MAP }

    /** Parses FRR 8.4's {@code show running-config} text (any daemon's or the integrated one). */
    static FrrRunningConfig parse(String text) {
        SortedSet<BgpInstance> instances = new TreeSet<>();
        List<String> otherInstances = new ArrayList<>();
        SortedMap<BgpInstance, SortedMap<Prefix, String>> rhidNetworks = new TreeMap<>();
        SortedMap<BgpInstance, SortedSet<Prefix>> operatorNetworks = new TreeMap<>();
        SortedMap<String, SortedMap<Integer, Entry>> routeMaps = new TreeMap<>();

        Context context = Context.NONE;
        BgpInstance instance = null;
        Boolean family = null; // null: not in an IPv4/IPv6 unicast address family; else whether IPv6
        String mapName = null;
        String mapAction = null;
        int mapSequence = 0;
        List<String> mapLines = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.isBlank()) {
                continue;
            }
            boolean topLevel = !Character.isWhitespace(line.charAt(0));
            String trimmed = SPACES.matcher(line.strip()).replaceAll(" ");
            if (topLevel) {
                if (context == Context.RHID_ROUTE_MAP) {
                    routeMaps.computeIfAbsent(mapName, k -> new TreeMap<>())
                            .put(mapSequence, new Entry(mapAction, mapSequence, mapLines));
                }
                context = Context.NONE;
                instance = null;
                family = null;
                if (trimmed.startsWith("router bgp ")) {
                    Optional<BgpInstance> parsed = BgpInstance.parseHeader(trimmed);
                    if (parsed.isPresent()) {
                        instance = parsed.get();
                        instances.add(instance);
                        context = Context.ROUTER_BGP;
                    } else {
                        otherInstances.add(trimmed);
                    }
                } else {
                    var m = ROUTE_MAP_HEADER.matcher(trimmed);
                    if (m.matches() && RHID_ROUTE_MAP.matcher(m.group(1)).matches()) {
                        context = Context.RHID_ROUTE_MAP;
                        mapName = m.group(1);
                        mapAction = m.group(2);
                        mapSequence = Integer.parseInt(m.group(3));
                        mapLines = new ArrayList<>();
                    }
                }
                continue;
            }
            if (context == Context.RHID_ROUTE_MAP) {
                if (!trimmed.equals("!")) {
                    mapLines.add(trimmed);
                }
            } else if (context == Context.ROUTER_BGP) {
                if (trimmed.startsWith("address-family ")) {
                    family = trimmed.equals("address-family ipv4 unicast") ? Boolean.FALSE
                            : trimmed.equals("address-family ipv6 unicast") ? Boolean.TRUE : null;
                } else if (trimmed.equals("exit-address-family")) {
                    family = null;
                } else if (family != null && trimmed.startsWith("network ")) {
                    network(trimmed, family, instance, rhidNetworks, operatorNetworks);
                }
            }
        }
        if (context == Context.RHID_ROUTE_MAP) {
            routeMaps.computeIfAbsent(mapName, k -> new TreeMap<>()).put(mapSequence, new Entry(mapAction, mapSequence, mapLines));
        }
        return new FrrRunningConfig(instances, otherInstances, rhidNetworks, operatorNetworks, routeMaps);
    }

    private static void network(String line, boolean v6, BgpInstance instance,
                                SortedMap<BgpInstance, SortedMap<Prefix, String>> rhid,
                                SortedMap<BgpInstance, SortedSet<Prefix>> operator) {
        String[] tokens = line.split(" ");
        Prefix.Parsed parsed = Prefix.parse(tokens[1]);
        if (parsed.prefix() == null || parsed.prefix().v6() != v6) {
            return; // not a form rhid writes (FRR prints prefixes canonically)
        }
        String routeMap = null;
        for (int i = 2; i + 1 < tokens.length; i++) {
            if (tokens[i].equals("route-map")) {
                routeMap = tokens[i + 1];
            }
        }
        if (routeMap != null && RHID_ROUTE_MAP.matcher(routeMap).matches()) {
            rhid.computeIfAbsent(instance, k -> new TreeMap<>()).put(parsed.prefix(), routeMap);
        } else {
            operator.computeIfAbsent(instance, k -> new TreeSet<>()).add(parsed.prefix());
        }
    }

    /** The BGP instances bgpd has, in a form rhid can name. */
    SortedSet<BgpInstance> instances() {
        return instances;
    }

    /** {@code router bgp} lines rhid cannot name (views, unusual VRF names), as FRR printed them. */
    List<String> otherInstances() {
        return otherInstances;
    }

    /** rhid's {@code network} lines in {@code instance}: prefix to route-map. */
    SortedMap<Prefix, String> rhidNetworks(BgpInstance instance) {
        return Collections.unmodifiableSortedMap(rhidNetworks.getOrDefault(instance, new TreeMap<>()));
    }

    /** The operator's {@code network} lines (without an rhid route-map) in {@code instance}. */
    SortedSet<Prefix> operatorNetworks(BgpInstance instance) {
        return Collections.unmodifiableSortedSet(operatorNetworks.getOrDefault(instance, new TreeSet<>()));
    }

    /** rhid's route-maps: name to entries by sequence number. */
    SortedMap<String, SortedMap<Integer, Entry>> rhidRouteMaps() {
        return Collections.unmodifiableSortedMap(rhidRouteMaps);
    }

    /** How many {@code network} lines of rhid's bgpd holds, over all instances. */
    int rhidNetworkCount() {
        return rhidNetworks.values().stream().mapToInt(Map::size).sum();
    }

    boolean hasRhidLines() {
        return rhidNetworkCount() > 0 || !rhidRouteMaps.isEmpty();
    }

    /** Desired prefixes the operator already has a {@code network} line of their own for. */
    SortedSet<Prefix> conflicts(DesiredState desired, BgpInstance instance) {
        SortedSet<Prefix> out = new TreeSet<>(desired.announcements().keySet());
        out.retainAll(operatorNetworks(instance));
        return out;
    }

    /**
     * What must change so that rhid's lines here are exactly {@code desired}'s, announced from
     * {@code instance}: missing or different route-maps, {@code network} lines to add or re-point
     * (and those to re-issue because their route-map is edited), rhid lines to remove from every
     * instance, and route-maps nothing will use. Prefixes the operator configured themselves are
     * left out and listed as conflicts.
     */
    FrrDelta delta(DesiredState desired, BgpInstance instance) {
        SortedMap<String, Attributes> wanted = FrrRenderer.routeMaps(desired);
        SortedMap<String, FrrDelta.RouteMapEdit> edits = new TreeMap<>();
        wanted.forEach((name, attrs) -> {
            List<String> want = FrrRenderer.setLines(attrs, instance.asn());
            SortedMap<Integer, Entry> entries = rhidRouteMaps.get(name);
            if (entries == null) {
                edits.put(name, new FrrDelta.RouteMapEdit(true, want, new TreeMap<>()));
                return;
            }
            Entry main = entries.get(FrrRenderer.SEQUENCE);
            List<String> lines = main == null ? want : editLines(main.lines(), want);
            boolean actionOk = main != null && main.action().equals("permit");
            SortedMap<Integer, String> others = new TreeMap<>();
            entries.forEach((seq, e) -> {
                if (seq != FrrRenderer.SEQUENCE) {
                    others.put(seq, e.action());
                }
            });
            if (!lines.isEmpty() || !actionOk || !others.isEmpty()) {
                edits.put(name, new FrrDelta.RouteMapEdit(false, lines, others));
            }
        });

        SortedMap<Prefix, String> current = rhidNetworks(instance);
        SortedSet<Prefix> operator = operatorNetworks(instance);
        SortedMap<Prefix, String> announce = new TreeMap<>();
        SortedSet<Prefix> conflicts = new TreeSet<>();
        for (Announcement a : desired.announcements().values()) {
            if (operator.contains(a.prefix())) {
                conflicts.add(a.prefix());
                continue;
            }
            String name = FrrRenderer.routeMapName(a);
            if (!name.equals(current.get(a.prefix())) || edits.containsKey(name)) {
                announce.put(a.prefix(), name);
            }
        }
        SortedMap<BgpInstance, SortedSet<Prefix>> withdraw = new TreeMap<>();
        rhidNetworks.forEach((inst, networks) -> {
            for (Prefix p : networks.keySet()) {
                if (!inst.equals(instance) || !desired.announcements().containsKey(p)) {
                    withdraw.computeIfAbsent(inst, k -> new TreeSet<>()).add(p);
                }
            }
        });
        SortedSet<String> delete = new TreeSet<>(rhidRouteMaps.keySet());
        delete.removeAll(wanted.keySet());
        return new FrrDelta(instance, edits, announce, withdraw, delete, conflicts);
    }

    /**
     * The lines that turn an entry's {@code current} lines into {@code want}: {@code no} lines for
     * what does not belong, then each wanted {@code set} line FRR does not hold yet (a {@code set}
     * replaces the previous value of its kind). Empty when they already match.
     */
    static List<String> editLines(List<String> current, List<String> want) {
        Map<String, String> wantByKind = new HashMap<>();
        for (String w : want) {
            wantByKind.put(kind(w), w);
        }
        List<String> out = new ArrayList<>();
        java.util.Set<String> held = new java.util.HashSet<>();
        for (String line : current) {
            String kind = kind(line);
            if (kind == null) {
                String first = line.split(" ")[0];
                out.add(NEGATIONS.getOrDefault(first, "no " + line));
            } else if (!wantByKind.containsKey(kind)) {
                out.add("no " + kind);
            } else if (normalize(line).equals(wantByKind.get(kind))) {
                held.add(kind);
            }
        }
        for (String w : want) {
            if (!held.contains(kind(w))) {
                out.add(w);
            }
        }
        return out;
    }

    /** The kind of {@code set} line rhid writes ({@code set community}, ...), or null for any other line. */
    private static String kind(String line) {
        for (String k : List.of("set as-path prepend", "set community", "set large-community", "set metric")) {
            if (line.startsWith(k + " ")) {
                return k;
            }
        }
        return null;
    }

    /**
     * A community line in rhid's spelling (sorted, unique, well-known names), so that FRR's
     * spelling of the same set compares equal; other lines unchanged.
     */
    private static String normalize(String line) {
        if (!line.endsWith(" additive")) {
            return line;
        }
        String kind = kind(line);
        String[] tokens = line.substring(kind.length() + 1, line.length() - " additive".length()).split(" ");
        if ("set community".equals(kind)) {
            TreeSet<Community> set = new TreeSet<>();
            for (String t : tokens) {
                Optional<Community> c = FrrRenderer.parseCommunity(t);
                if (c.isEmpty()) {
                    return line;
                }
                set.add(c.get());
            }
            return "set community " + set.stream().map(FrrRenderer::community).collect(Collectors.joining(" ")) + " additive";
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

    /**
     * How rhid's lines here differ from what {@code delta} leads to, for logs and errors, e.g.
     * {@code 2 network lines missing (198.51.100.53/32, 2001:db8::53/128); route-maps missing: rhid-web-up}.
     */
    String differences(FrrDelta delta) {
        SortedMap<Prefix, String> current = rhidNetworks(delta.instance());
        List<String> parts = new ArrayList<>();
        SortedSet<Prefix> missing = new TreeSet<>();
        SortedSet<Prefix> repoint = new TreeSet<>();
        delta.announce().forEach((p, map) -> {
            if (!current.containsKey(p)) {
                missing.add(p);
            } else if (!current.get(p).equals(map)) {
                repoint.add(p);
            }
        });
        if (!missing.isEmpty()) {
            parts.add(missing.size() + " network line" + plural(missing.size()) + " missing (" + sample(missing) + ")");
        }
        if (!repoint.isEmpty()) {
            parts.add(repoint.size() + " network line" + plural(repoint.size()) + " naming another route-map (" + sample(repoint) + ")");
        }
        delta.withdraw().forEach((inst, prefixes) -> parts.add(prefixes.size() + " network line" + plural(prefixes.size())
                + " rhid does not want in " + inst.header() + " (" + sample(prefixes) + ")"));
        List<String> created = new ArrayList<>();
        List<String> edited = new ArrayList<>();
        delta.routeMaps().forEach((name, edit) -> (edit.create() ? created : edited).add(name));
        if (!created.isEmpty()) {
            parts.add("route-maps missing: " + sample(created));
        }
        if (!edited.isEmpty()) {
            parts.add("route-maps differing: " + sample(edited));
        }
        if (!delta.deleteRouteMaps().isEmpty()) {
            parts.add("route-maps rhid no longer uses: " + sample(delta.deleteRouteMaps()));
        }
        return parts.isEmpty() ? "no differences" : String.join("; ", parts);
    }

    static String sample(Collection<?> items) {
        String listed = items.stream().limit(5).map(Object::toString).collect(Collectors.joining(", "));
        return items.size() > 5 ? listed + " and " + (items.size() - 5) + " more" : listed;
    }

    private static String plural(int n) {
        return n == 1 ? "" : "s";
    }
}
