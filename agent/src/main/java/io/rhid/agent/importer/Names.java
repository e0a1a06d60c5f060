package io.rhid.agent.importer;

import java.text.Normalizer;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Turns other tools' names into rhid service names ({@code [a-z0-9][a-z0-9_-]{0,62}}), unique within one import. */
final class Names {

    private final Set<String> taken = new HashSet<>();

    String serviceName(String original) {
        // Accented letters keep their base letter (Über -> uber) rather than vanish.
        String plain = Normalizer.normalize(original, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
        String name = plain.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-").replaceAll("^[^a-z0-9]+", "");
        name = name.replaceAll("-+$", "");
        if (name.isEmpty()) {
            name = "service";
        }
        if (name.length() > 63) {
            name = name.substring(0, 63);
        }
        String unique = name;
        for (int n = 2; !taken.add(unique); n++) {
            String suffix = "-" + n;
            unique = name.substring(0, Math.min(name.length(), 63 - suffix.length())) + suffix;
        }
        return unique;
    }
}
