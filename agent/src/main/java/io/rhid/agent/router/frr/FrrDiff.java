package io.rhid.agent.router.frr;

import io.rhid.agent.config.Attributes;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The difference between rhid's lines in bgpd's running config and a desired state, as a
 * {@link FrrDelta}, and that difference in words for logs and errors. Pure; both modes and
 * {@code withdraw-all} diff through here.
 *
 * <p>Ownership is by name: a {@code network} line is rhid's when its route-map starts with
 * {@code rhid-}; every other {@code network} line is the operator's and never touched.
 */
final class FrrDiff {

    private FrrDiff() {
    }

    /** The delta that turns an FRR without any rhid lines into {@code desired}. */
    static FrrDelta initial(DesiredState desired, BgpInstance instance) {
        SortedMap<String, FrrDelta.RouteMapEdit> maps = new TreeMap<>();
        FrrSyntax.routeMaps(desired).forEach((name, attrs) ->
                maps.put(name, new FrrDelta.RouteMapEdit(true, FrrSyntax.setLines(attrs, instance.asn()), new TreeMap<>())));
        SortedMap<Prefix, String> announce = new TreeMap<>();
        for (Announcement a : desired.announcements().values()) {
            announce.put(a.prefix(), FrrSyntax.routeMapName(a));
        }
        return new FrrDelta(instance, maps, announce, new TreeMap<>(), new TreeSet<>(), new TreeSet<>());
    }

    /**
     * What must change so that rhid's lines in {@code running} are exactly {@code desired}'s, announced from
     * {@code instance}: missing or different route-maps, {@code network} lines to add or re-point
     * (and those to re-issue because their route-map is edited), rhid lines to remove from every
     * instance, and route-maps nothing will use. Prefixes the operator configured themselves are
     * left out and listed as conflicts.
     */
    static FrrDelta delta(FrrRunningConfig running, DesiredState desired, BgpInstance instance) {
        SortedMap<String, Attributes> wanted = FrrSyntax.routeMaps(desired);
        SortedMap<String, FrrDelta.RouteMapEdit> edits = new TreeMap<>();
        wanted.forEach((name, attrs) -> {
            List<String> want = FrrSyntax.setLines(attrs, instance.asn());
            SortedMap<Integer, FrrRunningConfig.Entry> entries = running.rhidRouteMaps().get(name);
            if (entries == null) {
                edits.put(name, new FrrDelta.RouteMapEdit(true, want, new TreeMap<>()));
                return;
            }
            FrrRunningConfig.Entry main = entries.get(FrrSyntax.SEQUENCE);
            List<String> lines = main == null ? want : editLines(main.lines(), want);
            boolean actionOk = main != null && main.action().equals("permit");
            SortedMap<Integer, String> others = new TreeMap<>();
            entries.forEach((seq, e) -> {
                if (seq != FrrSyntax.SEQUENCE) {
                    others.put(seq, e.action());
                }
            });
            if (!lines.isEmpty() || !actionOk || !others.isEmpty()) {
                edits.put(name, new FrrDelta.RouteMapEdit(false, lines, others));
            }
        });

        SortedMap<Prefix, String> current = running.rhidNetworks(instance);
        SortedSet<Prefix> operator = running.operatorNetworks(instance);
        SortedMap<Prefix, String> announce = new TreeMap<>();
        SortedSet<Prefix> conflicts = new TreeSet<>();
        for (Announcement a : desired.announcements().values()) {
            if (operator.contains(a.prefix())) {
                conflicts.add(a.prefix());
                continue;
            }
            String name = FrrSyntax.routeMapName(a);
            if (!name.equals(current.get(a.prefix())) || edits.containsKey(name)) {
                announce.put(a.prefix(), name);
            }
        }
        SortedMap<BgpInstance, SortedSet<Prefix>> withdraw = new TreeMap<>();
        running.allRhidNetworks().forEach((inst, networks) -> {
            for (Prefix p : networks.keySet()) {
                if (!inst.equals(instance) || !desired.announcements().containsKey(p)) {
                    withdraw.computeIfAbsent(inst, k -> new TreeSet<>()).add(p);
                }
            }
        });
        SortedSet<String> delete = new TreeSet<>(running.rhidRouteMaps().keySet());
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
            wantByKind.put(FrrSyntax.setKind(w), w);
        }
        List<String> out = new ArrayList<>();
        Set<String> held = new HashSet<>();
        for (String line : current) {
            String kind = FrrSyntax.setKind(line);
            if (kind == null) {
                out.add(FrrSyntax.negation(line));
            } else if (!wantByKind.containsKey(kind)) {
                out.add("no " + kind);
            } else if (FrrSyntax.normalize(line).equals(wantByKind.get(kind))) {
                held.add(kind);
            }
        }
        for (String w : want) {
            if (!held.contains(FrrSyntax.setKind(w))) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * How rhid's lines in {@code running} differ from what {@code delta} leads to, for logs and errors, e.g.
     * {@code 2 network lines missing (198.51.100.53/32, 2001:db8::53/128); route-maps missing: rhid-web-up}.
     */
    static String differences(FrrRunningConfig running, FrrDelta delta) {
        SortedMap<Prefix, String> current = running.rhidNetworks(delta.instance());
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
