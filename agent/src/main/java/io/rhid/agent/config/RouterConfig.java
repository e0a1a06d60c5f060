package io.rhid.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The routing daemon rhid drives, how often it checks that daemon for drift, and how long one
 * command to it (birdc, vtysh, frr-reload.py, ip, or one ExaBGP API command's acknowledgement) may
 * take before it is killed and reported.
 */
public record RouterConfig(Daemon daemon, Bird bird, Frr frr, Exabgp exabgp, Duration reconcileInterval,
                           Duration commandTimeout) {

    public enum Daemon { BIRD, FRR, EXABGP }

    public enum FrrMode { VTYSH, RELOAD }

    public RouterConfig {
        Objects.requireNonNull(daemon, "daemon");
        Objects.requireNonNull(bird, "bird");
        Objects.requireNonNull(frr, "frr");
        Objects.requireNonNull(exabgp, "exabgp");
        Objects.requireNonNull(reconcileInterval, "reconcileInterval");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
    }

    /**
     * BIRD 2 settings.
     *
     * @param includeFile the file rhid owns entirely and the operator's bird.conf includes
     * @param birdc       run this birdc for every command; when empty (the default) rhid speaks
     *                    BIRD's control protocol on {@code socket} itself, as birdc does
     * @param asn         the local ASN, needed only to prepend it ({@code prepend} attributes)
     */
    public record Bird(Path includeFile, Optional<Path> birdc, Path socket, String protocolV4, String protocolV6,
                       OptionalLong asn) {
        public Bird {
            Objects.requireNonNull(includeFile, "includeFile");
            Objects.requireNonNull(birdc, "birdc");
            Objects.requireNonNull(socket, "socket");
            Objects.requireNonNull(protocolV4, "protocolV4");
            Objects.requireNonNull(protocolV6, "protocolV6");
            Objects.requireNonNull(asn, "asn");
        }
    }

    /** FRR settings; {@code asn} is 0 only when the daemon is BIRD and no FRR section was given. */
    public record Frr(Path vtysh, List<String> vtyshArgs, long asn, String vrf, FrrMode mode,
                      Path configFile, Path frrReload, List<String> frrReloadArgs) {
        public Frr {
            Objects.requireNonNull(vtysh, "vtysh");
            vtyshArgs = List.copyOf(vtyshArgs);
            Objects.requireNonNull(vrf, "vrf");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(configFile, "configFile");
            Objects.requireNonNull(frrReload, "frrReload");
            frrReloadArgs = List.copyOf(frrReloadArgs);
        }
    }

    /**
     * ExaBGP settings: rhid is ExaBGP's API process and speaks its text API on stdin/stdout.
     *
     * @param asn the local ASN, needed only to prepend it ({@code prepend} attributes): ExaBGP
     *            sends an AS path given through the API as it is, without adding its own ASN
     */
    public record Exabgp(OptionalLong asn) {
        public static final Exabgp DEFAULT = new Exabgp(OptionalLong.empty());

        public Exabgp {
            Objects.requireNonNull(asn, "asn");
        }
    }
}
