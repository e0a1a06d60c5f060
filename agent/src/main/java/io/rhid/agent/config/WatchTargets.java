package io.rhid.agent.config;

import io.rhid.checks.internal.Endpoints;
import io.rhid.checks.spi.ProbeSpec;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Decides which checks can watch: those whose endpoint ({@link ProbeSpec#endpoint()}) is a TCP
 * server given by IP address, such as {@code tcp 127.0.0.1:8080}; stateless.
 *
 * <p>The decision rests on the endpoint alone, so the agent still knows no check type by name: a
 * type whose spec links it to {@code tcp ADDRESS:PORT} can watch. A host name is not watched
 * because the watch connects from one thread shared by every endpoint, which must never wait on
 * a resolver.
 */
public final class WatchTargets {

    private static final String TCP = "tcp ";

    private WatchTargets() {
    }

    /** The address a watch connection goes to, or empty when the endpoint cannot be watched. */
    public static Optional<InetSocketAddress> address(String endpoint) {
        if (!endpoint.startsWith(TCP)) {
            return Optional.empty();
        }
        String hostPort = endpoint.substring(TCP.length());
        if (hostPort.startsWith("localhost:")) {
            return Optional.empty(); // Endpoints.link already printed localhost as its address
        }
        try {
            return Optional.of(Endpoints.parseHostPort(hostPort));
        } catch (Endpoints.InvalidEndpointException named) {
            return Optional.empty();
        }
    }

    /** Why a check of {@code spec} cannot watch, for a {@code watch: true} error; empty when it can. */
    static Optional<String> whyNot(ProbeSpec spec) {
        String endpoint = spec.endpoint();
        if (address(endpoint).isPresent()) {
            return Optional.empty();
        }
        if (endpoint.startsWith("udp ")) {
            return Optional.of("cannot watch: the server is reached over UDP (" + endpoint
                    + "); only a TCP server can be watched (a dns check can with tcp: true)");
        }
        if (endpoint.startsWith(TCP)) {
            return Optional.of("cannot watch: the server " + endpoint
                    + " is a host name; a watch connects only to an IP address or localhost");
        }
        return Optional.of("cannot watch: " + spec.type()
                + " checks have no TCP server (checks that can watch: http, tcp, and dns with tcp: true)");
    }
}
