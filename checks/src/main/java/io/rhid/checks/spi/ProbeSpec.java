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
     * {@code http://127.0.0.1:8080/healthz}, {@code /usr/local/bin/check-dns}.
     */
    String target();
}
