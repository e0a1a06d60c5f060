package io.rhid.agent.router.bird;

import io.rhid.agent.config.Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** Parses birdc's text replies. */
final class BirdReplies {

    private BirdReplies() {
    }

    /**
     * The prefixes in a {@code show route} reply. Route lines start with the prefix in the first
     * column; continuation lines (more routes for the same prefix, attributes) start with space;
     * the banner and {@code Table master4:} headers hold no prefix.
     */
    static SortedSet<Prefix> routes(String reply) {
        SortedSet<Prefix> out = new TreeSet<>();
        for (String line : reply.split("\n")) {
            if (line.isEmpty() || Character.isWhitespace(line.charAt(0))) {
                continue;
            }
            int end = 0;
            while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
                end++;
            }
            String token = line.substring(0, end);
            if (token.indexOf('/') > 0) {
                Prefix.Parsed p = Prefix.parse(token);
                if (p.prefix() != null) {
                    out.add(p.prefix());
                }
            }
        }
        return out;
    }

    /**
     * A BGP protocol in a {@code show protocols all} reply.
     *
     * @param established whether its {@code BGP state} is {@code Established}
     * @param channels    its {@code ipv4} and {@code ipv6} channels
     */
    record BgpSession(String name, boolean established, List<Channel> channels) {
        BgpSession {
            channels = List.copyOf(channels);
        }

        /** The families (true: IPv6) of channels that are up and have a next hop to send. */
        Set<Boolean> exportingFamilies() {
            Set<Boolean> out = new java.util.HashSet<>();
            for (Channel c : channels) {
                if (c.up() && !c.zeroNextHop()) {
                    out.add(c.v6());
                }
            }
            return out;
        }
    }

    /**
     * A BGP channel: its family, whether its {@code State} is {@code UP}, and whether its
     * {@code BGP Next hop} (shown while the session is up) is the zero address, with which BIRD
     * rejects every route it would send.
     */
    record Channel(boolean v6, boolean up, boolean zeroNextHop) {
    }

    /**
     * The BGP protocols in a {@code show protocols all} reply. A protocol's block starts with an
     * unindented line {@code NAME PROTO TABLE STATE SINCE INFO}; its details are indented, channels
     * as {@code Channel ipv4} followed by deeper-indented {@code State:} and {@code BGP Next hop:}
     * lines. Channels other than plain {@code ipv4} and {@code ipv6} (multicast, VPN, flow) are
     * skipped: rhid announces none of those.
     */
    static List<BgpSession> bgpSessions(String reply) {
        List<BgpSession> out = new ArrayList<>();
        String name = null;
        boolean bgp = false;
        boolean established = false;
        List<Channel> channels = new ArrayList<>();
        Boolean channelV6 = null; // the channel being read; null: none, or one rhid ignores
        boolean channelUp = false;
        boolean zeroNextHop = false;
        for (String line : (reply + "\nEND\n").split("\n")) {
            boolean top = !line.isEmpty() && !Character.isWhitespace(line.charAt(0));
            String t = line.strip();
            if (top || t.startsWith("Channel ")) {
                if (channelV6 != null) {
                    channels.add(new Channel(channelV6, channelUp, zeroNextHop));
                }
                channelV6 = null;
                channelUp = false;
                zeroNextHop = false;
            }
            if (top) {
                if (bgp) {
                    out.add(new BgpSession(name, established, channels));
                }
                String[] words = t.split("\\s+");
                name = words[0];
                bgp = words.length > 1 && words[1].equals("BGP");
                established = false;
                channels = new ArrayList<>();
                continue;
            }
            if (!bgp) {
                continue;
            }
            if (t.startsWith("BGP state:")) {
                established = t.substring("BGP state:".length()).strip().equals("Established");
            } else if (t.startsWith("Channel ")) {
                String family = t.substring("Channel ".length()).strip();
                channelV6 = family.equals("ipv6") ? Boolean.TRUE : family.equals("ipv4") ? Boolean.FALSE : null;
            } else if (channelV6 != null && t.startsWith("State:")) {
                channelUp = t.substring("State:".length()).strip().equals("UP");
            } else if (channelV6 != null && t.startsWith("BGP Next hop:")) {
                String[] hops = t.substring("BGP Next hop:".length()).strip().split("\\s+");
                zeroNextHop = hops[0].equals("::") || hops[0].equals("0.0.0.0");
            }
        }
        return out;
    }
}
