package io.rhid.agent.router.exabgp;

import io.rhid.agent.config.Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses ExaBGP 4.2's answer to {@code show adj-rib out extensive}: one line per neighbor and
 * route, e.g. {@code neighbor 10.255.0.2 local-ip 10.255.0.1 ... ipv4 unicast 198.51.100.53/32
 * next-hop self as-path [ 65000 65000 ] med 100 community [ 65000:100 65535:0 ] large-community
 * 65000:1:2}. Pure.
 */
final class AdjRibOut {

    private static final Pattern ROUTE = Pattern.compile("^neighbor (\\S+) .*?\\bipv[46] unicast (\\S+)(.*)$");

    private AdjRibOut() {
    }

    /**
     * The routes in {@code lines}, by prefix: for each, the attributes of every neighbor's copy in
     * rhid's own spelling (see {@link #canonical}). Lines that are not unicast routes are skipped.
     */
    static Map<Prefix, List<String>> parse(List<String> lines) {
        Map<Prefix, List<String>> routes = new TreeMap<>();
        for (String line : lines) {
            Matcher m = ROUTE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Prefix.Parsed p = Prefix.parse(m.group(2));
            if (p.prefix() == null) {
                continue;
            }
            routes.computeIfAbsent(p.prefix(), k -> new ArrayList<>()).add(canonical(m.group(3)));
        }
        return routes;
    }

    /**
     * The attributes of an {@code announce route} command or an adj-rib line in one spelling, so
     * the two compare equal: {@code med N}, {@code community [..]}, {@code large-community [..]}
     * and {@code as-path [..]} in that order, lists without inner padding; next-hop is left out.
     */
    static String canonical(String attributes) {
        Map<String, String> values = new TreeMap<>();
        String[] t = attributes.replace("[", " [ ").replace("]", " ] ").trim().split("\\s+");
        for (int i = 0; i < t.length; i++) {
            String key = t[i];
            if (i + 1 >= t.length) {
                break;
            }
            String value;
            if (t[i + 1].equals("[")) {
                StringBuilder list = new StringBuilder();
                int j = i + 2;
                for (; j < t.length && !t[j].equals("]"); j++) {
                    list.append(list.length() == 0 ? "" : " ").append(t[j]);
                }
                value = "[" + list + "]";
                i = j;
            } else {
                value = "[" + t[i + 1] + "]";
                i++;
            }
            values.put(key, value);
        }
        StringBuilder s = new StringBuilder();
        for (String key : List.of("med", "community", "large-community", "as-path")) {
            String v = values.get(key);
            if (v != null) {
                String shown = key.equals("med") ? v.substring(1, v.length() - 1) : v;
                s.append(s.length() == 0 ? "" : " ").append(key).append(' ').append(shown);
            }
        }
        return s.toString();
    }
}
