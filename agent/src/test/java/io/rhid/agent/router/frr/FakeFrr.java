package io.rhid.agent.router.frr;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.testing.FakeCommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for vtysh, bgpd and frr-reload.py that understands the subset of FRR 8.4's CLI rhid
 * uses, with the replies the real ones give (measured in FrrIT's lab): {@code show running-config}
 * in FRR's layout, {@code vtysh -f} batches that run every line and report failures as
 * {@code line N: % ...}, per-prefix {@code show bgp ... json}, {@code show vrf}, and frr-reload.py
 * applying the file's rhid block. Every call is recorded.
 */
final class FakeFrr {

    static final String VTYSH = "/usr/bin/vtysh";
    static final String FRR_RELOAD = "/usr/lib/frr/frr-reload.py";
    private static final Pattern SHOW_BGP = Pattern.compile("show bgp (?:vrf (\\S+) )?(ipv4|ipv6) unicast (\\S+) json");

    /** One {@code router bgp} section: operator lines, and per family prefix to route-map ("" for none). */
    static final class Instance {
        final List<String> preamble = new ArrayList<>();
        final TreeMap<Prefix, String> v4 = new TreeMap<>();
        final TreeMap<Prefix, String> v6 = new TreeMap<>();

        TreeMap<Prefix, String> family(boolean v6) {
            return v6 ? this.v6 : this.v4;
        }
    }

    /** One route-map entry. */
    static final class Entry {
        String action;
        final List<String> lines = new ArrayList<>();

        Entry(String action) {
            this.action = action;
        }
    }

    boolean bgpdRunning = true;
    boolean vtyshInstalled = true;
    final Map<String, Instance> instances = new LinkedHashMap<>();
    final Map<String, TreeMap<Integer, Entry>> routeMaps = new LinkedHashMap<>();
    /** Prefixes zebra has no route for: bgpd's import check fails for their network lines. */
    final Set<Prefix> notInRib = new HashSet<>();
    /** Batch lines bgpd refuses. */
    final Set<String> refusedLines = new HashSet<>();
    final List<String> vrfs = new ArrayList<>();
    boolean reloadTestFails;
    boolean reloadFails;
    final FakeCommandRunner runner = new FakeCommandRunner(this::reply);

    /** A bgpd with {@code router bgp asn}, a neighbor, an operator network and route-map. */
    static FakeFrr withInstance(long asn) {
        FakeFrr f = new FakeFrr();
        Instance i = f.instance("router bgp " + asn);
        i.preamble.add("bgp router-id 10.255.0.1");
        i.preamble.add("no bgp ebgp-requires-policy");
        i.preamble.add("neighbor 10.255.0.2 remote-as 65001");
        i.preamble.add("neighbor 10.255.0.2 description uplink");
        i.v4.put(Prefix.of("192.0.2.0/24"), "");
        f.routeMaps.put("operator-x", new TreeMap<>(Map.of(10, new Entry("permit"))));
        return f;
    }

    Instance instance(String header) {
        return instances.computeIfAbsent(header, h -> new Instance());
    }

    List<FakeCommandRunner.Call> calls() {
        return runner.calls();
    }

    /** The stdin of every vtysh batch so far. */
    List<String> batches() {
        return calls().stream().filter(c -> c.argv().contains("-f")).map(FakeCommandRunner.Call::stdin).toList();
    }

    // ---- replies -------------------------------------------------------------------------------

    private io.rhid.agent.router.CommandResult reply(List<String> argv, String stdin) {
        if (argv.get(0).equals(FRR_RELOAD)) {
            return frrReload(argv);
        }
        if (!vtyshInstalled) {
            return new io.rhid.agent.router.CommandResult(argv, -1, "cannot start " + argv.get(0) + ": error=2, No such file or directory",
                    0, false);
        }
        if (argv.contains("-f")) {
            if (!bgpdRunning) {
                return FakeCommandRunner.failed(argv, 1, "Exiting: failed to connect to any daemons.\n");
            }
            return run(argv, stdin);
        }
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < argv.size() - 1; i++) {
            if (argv.get(i).equals("-c")) {
                commands.add(argv.get(i + 1));
            }
        }
        if (commands.equals(List.of("show vrf"))) {
            StringBuilder s = new StringBuilder();
            vrfs.forEach(v -> s.append(v).append('\n'));
            return FakeCommandRunner.ok(argv, s.toString());
        }
        if (!bgpdRunning) {
            return FakeCommandRunner.failed(argv, 1, "Exiting: failed to connect to any daemons.\n");
        }
        if (commands.equals(List.of("show running-config"))) {
            return FakeCommandRunner.ok(argv, runningConfig());
        }
        StringBuilder out = new StringBuilder();
        for (String c : commands) {
            Matcher m = SHOW_BGP.matcher(c);
            if (!m.matches()) {
                out.append("% Unknown command: ").append(c).append('\n');
                continue;
            }
            out.append(showBgp(m.group(1), m.group(2).equals("ipv6"), Prefix.of(m.group(3))));
        }
        return FakeCommandRunner.ok(argv, out.toString());
    }

    private String showBgp(String vrf, boolean v6, Prefix p) {
        for (Map.Entry<String, Instance> e : instances.entrySet()) {
            boolean match = vrf == null ? !e.getKey().contains(" vrf ") : e.getKey().endsWith(" vrf " + vrf);
            if (match && e.getValue().family(v6).containsKey(p)) {
                boolean valid = !notInRib.contains(p);
                return """
                        {
                          "prefix":"%s",
                          "paths":[
                            {
                              "aspath":{"string":"Local","segments":[],"length":0},
                              "origin":"IGP",
                              "valid":%s,
                              "sourced":true,
                              "local":true,
                              "nexthops":[{"ip":"%s","afi":"%s","accessible":%s,"used":true}],
                              "peer":{"peerId":"%s","routerId":"10.255.0.1"}
                            }
                          ]
                        }
                        """.formatted(p, valid, v6 ? "::" : "0.0.0.0", v6 ? "ipv6" : "ipv4", valid, v6 ? "::" : "0.0.0.0");
            }
        }
        return "{\n}\n";
    }

    String runningConfig() {
        StringBuilder s = new StringBuilder("Building configuration...\n\nCurrent configuration:\n!\nfrr version 8.4.4\n"
                + "frr defaults traditional\nhostname vm\nno ip forwarding\nno ipv6 forwarding\n!\n");
        instances.forEach((header, i) -> {
            s.append(header).append('\n');
            i.preamble.forEach(l -> s.append(' ').append(l).append('\n'));
            for (boolean v6 : new boolean[] {false, true}) {
                if (i.family(v6).isEmpty() && !(v6 && !i.preamble.isEmpty())) {
                    continue;
                }
                s.append(" !\n address-family ").append(v6 ? "ipv6" : "ipv4").append(" unicast\n");
                i.family(v6).forEach((p, map) -> s.append("  network ").append(p)
                        .append(map.isEmpty() ? "" : " route-map " + map).append('\n'));
                if (v6 && !i.preamble.isEmpty()) {
                    s.append("  neighbor 10.255.0.2 activate\n");
                }
                s.append(" exit-address-family\n");
            }
            s.append("exit\n!\n");
        });
        routeMaps.forEach((name, entries) -> entries.forEach((seq, e) -> {
            s.append("route-map ").append(name).append(' ').append(e.action).append(' ').append(seq).append('\n');
            e.lines.stream().sorted().forEach(l -> s.append(' ').append(l).append('\n'));
            s.append("exit\n!\n");
        }));
        return s.append("end\n").toString();
    }

    // ---- the CLI subset ------------------------------------------------------------------------

    private io.rhid.agent.router.CommandResult run(List<String> argv, String text) {
        List<String> errors = interpret(text);
        if (errors.isEmpty()) {
            return FakeCommandRunner.ok(argv, "");
        }
        return FakeCommandRunner.failed(argv, 2, String.join("\n", errors) + "\n");
    }

    /** Runs config lines as vtysh -f would: every line, errors collected. */
    List<String> interpret(String text) {
        List<String> errors = new ArrayList<>();
        String node = "config";
        Instance bgp = null;
        Boolean v6 = null;
        Entry entry = null;
        String[] lines = text.split("\n");
        for (int n = 0; n < lines.length; n++) {
            String t = lines[n].strip();
            if (t.isEmpty() || t.startsWith("!")) {
                continue;
            }
            String error = null;
            if (refusedLines.contains(t)) {
                error = "% Unknown command[4]: " + lines[n];
            } else if (t.startsWith("route-map ")) {
                String[] w = t.split(" ");
                TreeMap<Integer, Entry> map = routeMaps.computeIfAbsent(w[1], k -> new TreeMap<>());
                entry = map.computeIfAbsent(Integer.parseInt(w[3]), k -> new Entry(w[2]));
                entry.action = w[2];
                node = "route-map";
            } else if (t.startsWith("no route-map ")) {
                String[] w = t.split(" ");
                if (w.length == 3) {
                    routeMaps.remove(w[2]);
                } else if (routeMaps.containsKey(w[2])) {
                    routeMaps.get(w[2]).remove(Integer.parseInt(w[4]));
                    if (routeMaps.get(w[2]).isEmpty()) {
                        routeMaps.remove(w[2]);
                    }
                }
                node = "config";
            } else if (t.startsWith("router bgp ")) {
                String asn = t.split(" ")[2];
                boolean vrf = t.contains(" vrf ");
                String clash = instances.keySet().stream()
                        .filter(h -> !h.contains(" vrf ") && !vrf && !h.equals(t)).findFirst().orElse(null);
                if (clash != null) {
                    error = "BGP is already running; AS is " + clash.split(" ")[2] + " (wanted " + asn + ")";
                    node = "config";
                } else {
                    bgp = instance(t);
                    node = "bgp";
                }
            } else if (t.startsWith("address-family ") && node.equals("bgp")) {
                v6 = t.equals("address-family ipv6 unicast");
                node = "af";
            } else if (t.equals("exit-address-family") && node.equals("af")) {
                node = "bgp";
            } else if (t.equals("exit")) {
                node = node.equals("af") ? "bgp" : "config";
            } else if (t.startsWith("network ") && node.equals("af")) {
                String[] w = t.split(" ");
                bgp.family(v6).put(Prefix.of(w[1]), w.length > 3 ? w[3] : "");
            } else if (t.startsWith("no network ") && node.equals("af")) {
                if (bgp.family(v6).remove(Prefix.of(t.split(" ")[2])) == null) {
                    error = "Failure to communicate[13] to bgpd, line: " + lines[n];
                }
            } else if (node.equals("route-map") && t.startsWith("set ")) {
                String kind = kind(t);
                entry.lines.removeIf(l -> kind(l).equals(kind));
                entry.lines.add(t);
            } else if (node.equals("route-map") && t.startsWith("no set ")) {
                String kind = kind(t.substring(3));
                entry.lines.removeIf(l -> kind(l).equals(kind));
            } else if (node.equals("route-map") && t.equals("no description")) {
                entry.lines.removeIf(l -> l.startsWith("description "));
            } else if (node.equals("route-map") && t.startsWith("no ") && entry.lines.contains(t.substring(3))) {
                entry.lines.remove(t.substring(3));
            } else if (node.equals("route-map") && (t.startsWith("match ") || t.startsWith("description "))) {
                entry.lines.add(t);
            } else {
                error = "% Unknown command[4]: " + lines[n];
            }
            if (error != null) {
                errors.add("line " + (n + 1) + ": " + error);
            }
        }
        return errors;
    }

    private static String kind(String setLine) {
        String[] w = setLine.split(" ");
        if (w.length >= 3 && w[1].equals("as-path")) {
            return w[0] + " " + w[1] + " " + w[2];
        }
        return w.length >= 2 ? w[0] + " " + w[1] : setLine;
    }

    private io.rhid.agent.router.CommandResult frrReload(List<String> argv) {
        Path file = Path.of(argv.get(argv.size() - 1));
        if (argv.get(1).equals("--test")) {
            return reloadTestFails
                    ? FakeCommandRunner.failed(argv, 1, "ERROR: vtysh failed to process new configuration: vtysh (mark file) exited with status 2")
                    : FakeCommandRunner.ok(argv, "\nLines To Delete\n===============\n\nLines To Add\n============\n");
        }
        if (reloadFails || !bgpdRunning) {
            return FakeCommandRunner.failed(argv, 1, "frr-reload.py failed");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The file is the whole truth: rhid's lines leave the running config unless the file has them.
        routeMaps.keySet().removeIf(n -> n.startsWith(FrrSyntax.ROUTE_MAP_PREFIX));
        for (Instance i : instances.values()) {
            for (boolean v6 : new boolean[] {false, true}) {
                i.family(v6).values().removeIf(m -> m.startsWith(FrrSyntax.ROUTE_MAP_PREFIX));
            }
        }
        // Only the block is new to this fake; the operator's lines are already in its state.
        int begin = text.indexOf(FrrSyntax.BEGIN);
        int end = text.indexOf(FrrSyntax.END);
        List<String> errors = begin < 0 ? List.of() : interpret(text.substring(begin, end));
        return errors.isEmpty() ? FakeCommandRunner.ok(argv, "") : FakeCommandRunner.failed(argv, 1, String.join("\n", errors));
    }
}
