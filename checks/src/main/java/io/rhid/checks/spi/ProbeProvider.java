package io.rhid.checks.spi;

import java.util.List;

/**
 * A check type, found by the agent through {@link java.util.ServiceLoader}.
 *
 * <p>Adding a check type means adding a provider class and listing it in
 * {@code META-INF/services/io.rhid.checks.spi.ProbeProvider}; the agent knows no type by name.
 *
 * <p>A provider is typed by its spec record, so {@link #create} and {@link #warmUp} receive the
 * provider's own spec type; the agent routes a spec to the provider whose {@link #type()} equals
 * {@link ProbeSpec#type()} and casts it with {@link #specType()}.
 *
 * <p>Threading: one provider instance serves every check of its type. {@link #parse} runs on the
 * thread loading the config; {@link #create} may be called from any thread, so state a provider
 * shares between its probes (an HTTP connection pool) must be thread-safe.
 *
 * @param <S> the spec record this provider parses and creates probes from
 */
public interface ProbeProvider<S extends ProbeSpec> {

    /** The value of a check's {@code type} key: {@code http}, {@code tcp}, {@code dns}, ... */
    String type();

    /**
     * The class of this provider's specs: every spec {@link #parse} returns is an instance of it,
     * and its {@link ProbeSpec#type()} equals {@link #type()}.
     */
    Class<S> specType();

    /**
     * Reads and validates this type's fields of one check. The agent has already read the keys
     * common to every check ({@code type}, {@code name}, {@code interval}, {@code fast_interval},
     * {@code timeout}, {@code rise}, {@code fall}).
     *
     * @return the spec, or {@code null} when an error was reported through the reader
     */
    S parse(SpecReader reader);

    /**
     * Creates the probe for a spec returned by {@link #parse}. Must not perform I/O against the
     * probed service; the first attempt happens on the first {@link Probe#run()}.
     */
    Probe create(S spec, ProbeContext context);

    /**
     * Prepares, once, what this type's probes share (class loading, clients, TLS initialisation,
     * compiling the request path), so that a probe's first run spends its timeout on the exchange
     * with the service only. The agent calls it before creating the first probes of {@code rhid
     * run} and {@code rhid probe}, with the specs of this type in the config (never empty), so a
     * provider can skip what no check uses. It must not contact any configured service; it may
     * talk to a throwaway server of its own on loopback. It must not throw, and should finish
     * within a second or two.
     */
    default void warmUp(List<S> specs) {
    }
}
