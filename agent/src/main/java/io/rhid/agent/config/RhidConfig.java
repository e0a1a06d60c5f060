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
 * @param safety   guard rails: which prefixes may be announced, start-up delay, flap damping
 * @param services by name, sorted
 */
public record RhidConfig(Path source, RouterConfig router, Addresses addresses, Status status, Control control,
                         Path stateDir, Safety safety, SortedMap<String, ServiceConfig> services) {

    public RhidConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(safety, "safety");
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    }

    /**
     * This config with the services and safety settings of {@code other}: what a live reload
     * takes over, while router, address, status and control settings need a restart.
     */
    public RhidConfig withServicesOf(RhidConfig other) {
        return new RhidConfig(source, router, addresses, status, control, stateDir, other.safety, other.services);
    }

    /**
     * Guard rails.
     *
     * @param allowedPrefixes    ranges every service prefix must fall inside; empty: no list, and
     *                           then prefixes shorter than /24 or /48 and default routes are refused
     *                           unless {@code allowShortPrefixes}
     * @param startupDelay       nothing is announced until this long after rhid starts
     * @param flap               flap damping
     */
    public record Safety(java.util.List<Prefix> allowedPrefixes, boolean allowShortPrefixes, java.time.Duration startupDelay,
                         Flap flap) {
        public static final Safety DEFAULT = new Safety(java.util.List.of(), false, java.time.Duration.ZERO, Flap.DEFAULT);

        public Safety {
            allowedPrefixes = java.util.List.copyOf(allowedPrefixes);
            Objects.requireNonNull(startupDelay, "startupDelay");
            Objects.requireNonNull(flap, "flap");
        }
    }

    /**
     * Flap damping: a service whose state changes more than {@code maxChanges} times within
     * {@code window} is held withdrawn for {@code hold}. {@code maxChanges} 0 turns it off.
     */
    public record Flap(int maxChanges, java.time.Duration window, java.time.Duration hold) {
        public static final Flap DEFAULT = new Flap(6, java.time.Duration.ofMinutes(1), java.time.Duration.ofMinutes(2));

        public Flap {
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(hold, "hold");
        }

        public boolean enabled() {
            return maxChanges > 0;
        }
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
    public record Status(String host, int port, boolean allowRemote, boolean showCommands) {
        public Status {
            Objects.requireNonNull(host, "host");
        }

        /** Exec commands shown by program name only. */
        public Status(String host, int port, boolean allowRemote) {
            this(host, port, allowRemote, false);
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
