package io.rhid.agent.apply;

import io.rhid.agent.config.Prefix;
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
}
