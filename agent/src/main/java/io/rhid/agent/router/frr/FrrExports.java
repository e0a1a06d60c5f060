package io.rhid.agent.router.frr;

import com.fasterxml.jackson.databind.JsonNode;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.CommandRunner;
import io.rhid.agent.router.ExportQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What bgpd advertises to its neighbours: one {@code show bgp summary json} for the established
 * sessions per address family, then one vtysh run with a {@code neighbors PEER advertised-routes
 * json} command per established (family, neighbour) that has sent prefixes. Stateless; each vtysh
 * run is bounded by the command time limit.
 */
public final class FrrExports implements ExportQuery {

    /** The address families rhid announces in, as FRR's JSON names them. */
    private static final Map<String, String> FAMILIES = Map.of("ipv4Unicast", "ipv4", "ipv6Unicast", "ipv6");

    private final RouterConfig.Frr frr;
    private final CommandRunner runner;
    private final Duration timeout;

    public FrrExports(RouterConfig.Frr frr, CommandRunner runner, Duration timeout) {
        this.frr = frr;
        this.runner = runner;
        this.timeout = timeout;
    }

    /** One established session in one address family. */
    record Peer(String family, String neighbor, long sent) {
    }

    @Override
    public Exports query() throws ApplyException {
        List<JsonNode> summary = run(List.of("show bgp " + vrf() + "summary json"));
        List<Peer> peers = established(summary.get(0));
        Set<String> sessions = new LinkedHashSet<>();
        List<String> commands = new ArrayList<>();
        for (Peer p : peers) {
            sessions.add(p.neighbor());
            // bgpd counts what it sent; asking a neighbour that was sent nothing would only cost time.
            if (p.sent() != 0) {
                commands.add("show bgp " + vrf() + p.family() + " unicast neighbors " + p.neighbor() + " advertised-routes json");
            }
        }
        Map<Prefix, Integer> counts = new TreeMap<>();
        if (!commands.isEmpty()) {
            for (JsonNode reply : run(commands)) {
                for (Prefix p : advertised(reply)) {
                    counts.merge(p, 1, Integer::sum);
                }
            }
        }
        return Exports.of(List.copyOf(sessions), counts);
    }

    /** The established sessions in a {@code show bgp summary json} reply, per address family rhid uses. */
    static List<Peer> established(JsonNode summary) {
        List<Peer> out = new ArrayList<>();
        for (Map.Entry<String, String> family : new TreeMap<>(FAMILIES).entrySet()) {
            JsonNode peers = summary.path(family.getKey()).path("peers");
            for (Iterator<Map.Entry<String, JsonNode>> it = peers.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> peer = it.next();
                if (peer.getValue().path("state").asText().equals("Established")) {
                    // pfxSnt is absent in some versions: then ask anyway (-1).
                    out.add(new Peer(family.getValue(), peer.getKey(), peer.getValue().path("pfxSnt").asLong(-1)));
                }
            }
        }
        return out;
    }

    /** The prefixes in an {@code advertised-routes json} reply (keys of {@code advertisedRoutes}). */
    static List<Prefix> advertised(JsonNode reply) {
        List<Prefix> out = new ArrayList<>();
        for (Iterator<String> it = reply.path("advertisedRoutes").fieldNames(); it.hasNext(); ) {
            Prefix.Parsed p = Prefix.parse(it.next());
            if (p.prefix() != null) {
                out.add(p.prefix());
            }
        }
        return out;
    }

    /** Runs {@code commands} in one vtysh process; one JSON document per command. */
    private List<JsonNode> run(List<String> commands) throws ApplyException {
        List<String> argv = new ArrayList<>();
        argv.add(frr.vtysh().toString());
        argv.addAll(frr.vtyshArgs());
        argv.addAll(List.of("-d", "bgpd"));
        for (String c : commands) {
            argv.add("-c");
            argv.add(c);
        }
        CommandResult r = runner.run(argv, null, timeout);
        String what = commands.size() == 1 ? "vtysh -c '" + commands.get(0) + "'" : commands.size() + " vtysh show commands";
        if (!r.ok()) {
            throw new ApplyException(what + " failed" + (r.timedOut() ? " (no answer within " + timeout.toMillis() + " ms)"
                    : " (exit " + r.exitCode() + ")") + ": " + r.summary());
        }
        List<JsonNode> replies = Bgpd.jsonReplies(r, "cannot read bgpd's reply to " + what);
        if (replies.size() != commands.size()) {
            throw new ApplyException("bgpd gave " + replies.size() + " answers to " + what + ": " + r.summary());
        }
        return replies;
    }

    private String vrf() {
        return frr.vrf().isEmpty() ? "" : "vrf " + frr.vrf() + " ";
    }
}
