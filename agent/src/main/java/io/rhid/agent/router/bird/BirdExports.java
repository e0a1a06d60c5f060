package io.rhid.agent.router.bird;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.ExportQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What BIRD exports to its BGP peers: one {@code show protocols all} for the established BGP
 * sessions and their channels, then one {@code show route exported NAME} per session that has a
 * channel able to send routes, limited to rhid's two static protocols (so a session that also
 * carries a full table costs no more). Stateless; each command is bounded by the command time
 * limit.
 *
 * <p>Why not the route list alone: BIRD 2.0.12 lists a route under {@code show route exported}
 * (and counts it in the channel's export statistics) even when it drops it while encoding the
 * UPDATE because the channel has no next hop to send, e.g. an {@code ipv6} channel on an IPv4
 * session over a link without a global IPv6 address: it logs "Invalid NEXT_HOP attribute - zero
 * address" and "Invalid route ... withdrawn", and {@code show protocols all} shows the channel's
 * {@code BGP Next hop: ::}. So a channel whose next hop is the zero address exports nothing.
 */
public final class BirdExports implements ExportQuery {

    private final BirdCommands commands;
    private final String rhidRoutes;

    /** {@code protocolV4} and {@code protocolV6}: rhid's static protocols, validated symbols. */
    public BirdExports(BirdCommands commands, String protocolV4, String protocolV6) {
        this.commands = commands;
        this.rhidRoutes = "proto = \"" + protocolV4 + "\" || proto = \"" + protocolV6 + "\"";
    }

    @Override
    public Exports query() throws ApplyException {
        CommandResult protocols = commands.run(List.of("show", "protocols", "all"));
        if (!protocols.ok()) {
            throw new ApplyException("BIRD: show protocols all failed" + protocols.exitSuffix() + ": " + protocols.summary());
        }
        List<String> established = new ArrayList<>();
        Map<Prefix, Integer> counts = new TreeMap<>();
        for (BirdReplies.BgpSession s : BirdReplies.bgpSessions(protocols.output())) {
            if (!s.established()) {
                continue;
            }
            established.add(s.name());
            Set<Boolean> families = s.exportingFamilies();
            if (families.isEmpty()) {
                continue;
            }
            CommandResult routes = commands.run(List.of("show", "route", "exported", s.name(), "where", rhidRoutes));
            if (!routes.ok()) {
                throw new ApplyException("BIRD: show route exported " + s.name() + " where " + rhidRoutes + " failed"
                        + routes.exitSuffix() + ": " + routes.summary());
            }
            for (Prefix p : BirdReplies.routes(routes.output())) {
                if (families.contains(p.v6())) {
                    counts.merge(p, 1, Integer::sum);
                }
            }
        }
        return Exports.of(established, counts);
    }
}
