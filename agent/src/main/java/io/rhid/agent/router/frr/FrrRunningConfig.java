package io.rhid.agent.router.frr;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.plan.DesiredState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * bgpd's running config ({@code vtysh -d bgpd -c 'show running-config'}) as far as rhid cares: the
 * BGP instances, their {@code network} lines in the IPv4 and IPv6 unicast address families, and the
 * route-maps named {@code rhid-*}. A value; parsing does no I/O and reads each line through
 * {@link FrrSyntax}, and {@link FrrDiff} turns it and a desired state into a delta.
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

    private static final Pattern SPACES = Pattern.compile("\\s+");

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
                    Optional<BgpInstance> parsed = FrrSyntax.routerBgp(trimmed);
                    if (parsed.isPresent()) {
                        instance = parsed.get();
                        instances.add(instance);
                        context = Context.ROUTER_BGP;
                    } else {
                        otherInstances.add(trimmed);
                    }
                } else {
                    Optional<FrrSyntax.RouteMapHeader> header = FrrSyntax.rhidRouteMapHeader(trimmed);
                    if (header.isPresent()) {
                        context = Context.RHID_ROUTE_MAP;
                        mapName = header.get().name();
                        mapAction = header.get().action();
                        mapSequence = header.get().sequence();
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
        Optional<FrrSyntax.Network> parsed = FrrSyntax.network(line, v6);
        if (parsed.isEmpty()) {
            return;
        }
        Prefix prefix = parsed.get().prefix();
        if (FrrSyntax.isRhidRouteMap(parsed.get().routeMap())) {
            rhid.computeIfAbsent(instance, k -> new TreeMap<>()).put(prefix, parsed.get().routeMap());
        } else {
            operator.computeIfAbsent(instance, k -> new TreeSet<>()).add(prefix);
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

    /** rhid's {@code network} lines in every instance: prefix to route-map. */
    SortedMap<BgpInstance, SortedMap<Prefix, String>> allRhidNetworks() {
        return Collections.unmodifiableSortedMap(rhidNetworks);
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
}
