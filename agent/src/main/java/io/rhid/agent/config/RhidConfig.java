package io.rhid.agent.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A loaded and validated config file: every default applied, every value typed.
 *
 * @param source   the file it was loaded from, as given
 * @param stateDir where rhid keeps what must survive a restart (addresses it added, drains)
 * @param services by name, sorted
 */
public record RhidConfig(Path source, RouterConfig router, Addresses addresses, Status status, Control control,
                         Path stateDir, SortedMap<String, ServiceConfig> services) {

    public RhidConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(stateDir, "stateDir");
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    }

    /**
     * Anycast addresses on the host.
     *
     * @param manage         whether rhid adds service addresses to {@code interfaceName}
     * @param removeWhenDown remove an address once its route is withdrawn, instead of keeping it
     *                       so the service can still bind
     */
    public record Addresses(boolean manage, String interfaceName, boolean removeWhenDown) {
        public Addresses {
            Objects.requireNonNull(interfaceName, "interfaceName");
        }
    }

    /** The read-only HTTP status server. */
    public record Status(String host, int port, boolean allowRemote) {
        public Status {
            Objects.requireNonNull(host, "host");
        }

        public String listen() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** The Unix socket for mutating commands (drain, resume, recheck). */
    public record Control(Path socket) {
        public Control {
            Objects.requireNonNull(socket, "socket");
        }
    }
}
