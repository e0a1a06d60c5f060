package io.rhid.agent.schedule;

import java.util.Comparator;
import java.util.Objects;

/** Identifies one check: its service's name and its own. */
public record CheckKey(String service, String check) implements Comparable<CheckKey> {

    private static final Comparator<CheckKey> ORDER = Comparator.comparing(CheckKey::service).thenComparing(CheckKey::check);

    public CheckKey {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(check, "check");
    }

    @Override
    public int compareTo(CheckKey o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return service + "/" + check;
    }
}
