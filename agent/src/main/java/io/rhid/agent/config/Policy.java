package io.rhid.agent.config;

/**
 * How many of a service's checks must pass for it to be announced: all of them, any one, or at
 * least {@code n}.
 */
public record Policy(Kind kind, int n) {

    public enum Kind { ALL, ANY, AT_LEAST }

    public static final Policy ALL = new Policy(Kind.ALL, 0);
    public static final Policy ANY = new Policy(Kind.ANY, 0);

    public Policy {
        if ((kind == Kind.AT_LEAST) != (n > 0)) {
            throw new IllegalArgumentException("n is set exactly for AT_LEAST");
        }
    }

    public static Policy atLeast(int n) {
        return new Policy(Kind.AT_LEAST, n);
    }

    /** Whether {@code passing} checks out of {@code total} satisfy this policy. */
    public boolean holds(int passing, int total) {
        return switch (kind) {
            case ALL -> passing == total;
            case ANY -> passing >= 1;
            case AT_LEAST -> passing >= n;
        };
    }

    @Override
    public String toString() {
        return kind == Kind.AT_LEAST ? Integer.toString(n) : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
