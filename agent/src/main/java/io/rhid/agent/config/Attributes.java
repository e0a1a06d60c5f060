package io.rhid.agent.config;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The BGP attributes rhid sets on an announcement in one service state.
 *
 * @param communities      standard communities, sorted and unique
 * @param largeCommunities large communities, sorted and unique
 * @param med              MULTI_EXIT_DISC, when set
 * @param prepend          how many extra times the local ASN is prepended to the AS path
 */
public record Attributes(List<Community> communities, List<LargeCommunity> largeCommunities, OptionalLong med, int prepend) {

    public static final Attributes NONE = new Attributes(List.of(), List.of(), OptionalLong.empty(), 0);

    public Attributes {
        communities = List.copyOf(new TreeSet<>(communities));
        largeCommunities = List.copyOf(new TreeSet<>(largeCommunities));
        Objects.requireNonNull(med, "med");
    }

    /** These attributes with {@code community} added (kept sorted and unique). */
    public Attributes with(Community community) {
        List<Community> more = new java.util.ArrayList<>(communities);
        more.add(community);
        return new Attributes(more, largeCommunities, med, prepend);
    }

    public boolean isEmpty() {
        return communities.isEmpty() && largeCommunities.isEmpty() && med.isEmpty() && prepend == 0;
    }
}
