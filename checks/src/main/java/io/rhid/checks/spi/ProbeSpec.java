package io.rhid.checks.spi;

/**
 * A probe's validated configuration: the type-specific fields of one check.
 *
 * <p>Implementations are immutable records. The agent compares specs with {@code equals} on a
 * config reload: a check whose spec is equal to the old one keeps its health state, so a spec must
 * hold only values (no clocks, sockets or mutable collections).
 */
public interface ProbeSpec {

    /** The check type this spec belongs to, equal to its provider's {@link ProbeProvider#type()}. */
    String type();

    /**
     * A short description of what is probed, for logs and status lines: {@code 127.0.0.1:53},
     * {@code http://127.0.0.1:8080/healthz}, {@code /usr/local/bin/check-dns}. Shown to any local
     * user, so it holds no secret: URLs without userinfo and query values, commands without their
     * arguments.
     */
    String target();

    /**
     * {@link #target()} with what it leaves out for privacy but is no credential of a server's
     * own (an exec check's arguments), shown only when the operator sets
     * {@code status.show_commands}. Defaults to {@link #target()}.
     */
    default String fullTarget() {
        return target();
    }

    /**
     * The server this probe talks to, as transport, address and port: {@code tcp 127.0.0.1:8080},
     * {@code udp [::1]:53}. Checks with equal endpoints fail together when that server dies,
     * whatever their type: an http check of {@code http://127.0.0.1:8080/} and a tcp check of
     * {@code 127.0.0.1:8080} share {@code tcp 127.0.0.1:8080}. When one of them sees the first
     * result that disagrees with its confirmed state, the agent runs the others with the same
     * endpoint at once instead of at their next interval, so every service behind a dead server
     * starts confirming together (each still needs its own {@code fall} failures). Types that talk
     * to no server default to {@link #target()} (exec: its whole command).
     */
    default String endpoint() {
        return target();
    }
}
