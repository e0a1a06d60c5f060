package io.rhid.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Binds the {@code router} section: the daemon choice and each backend's settings (BIRD, FRR,
 * ExaBGP), with their defaults. One instance binds one file on one thread.
 */
final class RouterBinder {

    private static final Pattern BIRD_SYMBOL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final Pattern VRF = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final long MAX_ASN = 4294967295L;

    private final Errors errors;

    RouterBinder(Errors errors) {
        this.errors = errors;
    }

    RouterConfig router(Optional<Fields> section) {
        Fields r = section.orElse(null);
        RouterConfig.Daemon daemon = RouterConfig.Daemon.BIRD;
        Duration reconcile = Duration.ofSeconds(10);
        Duration commandTimeout = Duration.ofSeconds(10);
        Optional<Fields> bird = Optional.empty();
        Optional<Fields> frr = Optional.empty();
        Optional<Fields> exabgp = Optional.empty();
        if (r != null) {
            daemon = r.oneOf("daemon", Map.of("bird", RouterConfig.Daemon.BIRD, "frr", RouterConfig.Daemon.FRR,
                    "exabgp", RouterConfig.Daemon.EXABGP), "bird, frr or exabgp")
                    .orElse(RouterConfig.Daemon.BIRD);
            reconcile = r.durationIn("reconcile_interval", Duration.ofMillis(100), ConfigBinder.MAX_INTERVAL).orElse(reconcile);
            commandTimeout = r.durationIn("command_timeout", Duration.ofMillis(100), Duration.ofMinutes(5)).orElse(commandTimeout);
            bird = r.mapping("bird");
            frr = r.mapping("frr");
            exabgp = r.mapping("exabgp");
        }
        RouterConfig.Bird b = bird(bird);
        RouterConfig.Frr fr = frr(frr, daemon == RouterConfig.Daemon.FRR, r);
        RouterConfig.Exabgp ex = Fields.section(exabgp,
                e -> new RouterConfig.Exabgp(e.integer("asn", 1, MAX_ASN).map(OptionalLong::of).orElse(OptionalLong.empty())),
                () -> RouterConfig.Exabgp.DEFAULT);
        if (r != null) {
            r.finish();
        }
        return new RouterConfig(daemon, b, fr, ex, reconcile, commandTimeout);
    }

    private RouterConfig.Bird bird(Optional<Fields> section) {
        return Fields.section(section, b -> {
            Path include = b.absolutePath("include_file", "/etc/bird/rhid.conf");
            Optional<Path> birdc = b.has("birdc") ? Optional.of(b.absolutePath("birdc", "/usr/sbin/birdc")) : Optional.empty();
            Path socket = b.absolutePath("socket", "/run/bird/bird.ctl");
            String v4 = b.matching("protocol_v4", BIRD_SYMBOL, "a BIRD symbol: a letter or underscore, then letters, digits or underscores").orElse("rhid4");
            String v6 = b.matching("protocol_v6", BIRD_SYMBOL, "a BIRD symbol: a letter or underscore, then letters, digits or underscores").orElse("rhid6");
            if (v4.equals(v6)) {
                b.value("protocol_v6").ifPresentOrElse(
                        n -> errors.at(n, b.pathOf("protocol_v6"), "must differ from protocol_v4 (both are " + v6 + ")"),
                        () -> b.value("protocol_v4").ifPresent(n -> errors.at(n, b.pathOf("protocol_v4"),
                                "must differ from protocol_v6 (both are " + v4 + ")")));
            }
            OptionalLong asn = b.integer("asn", 1, MAX_ASN).map(OptionalLong::of).orElse(OptionalLong.empty());
            return new RouterConfig.Bird(include, birdc, socket, v4, v6, asn);
        }, () -> new RouterConfig.Bird(Path.of("/etc/bird/rhid.conf"), Optional.empty(),
                Path.of("/run/bird/bird.ctl"), "rhid4", "rhid6", OptionalLong.empty()));
    }

    private RouterConfig.Frr frr(Optional<Fields> section, boolean inUse, Fields router) {
        if (section.isEmpty() && inUse && router != null) {
            errors.at(router.node(), router.pathOf("frr.asn"), "is required when router.daemon is frr");
        }
        return Fields.section(section, f -> {
            Path vtysh = f.absolutePath("vtysh", "/usr/bin/vtysh");
            List<String> vtyshArgs = f.arguments("vtysh_args");
            long asn = f.integer("asn", 1, MAX_ASN).orElse(0L);
            if (!f.has("asn") && inUse) {
                errors.at(f.node(), f.pathOf("asn"), "is required when router.daemon is frr");
            }
            String vrf = f.string("vrf").orElse("");
            if (!vrf.isEmpty() && !VRF.matcher(vrf).matches()) {
                f.error("vrf", "must be empty (the default VRF) or 1-15 letters, digits, '_', '-' or '.' (found \"" + vrf + "\")");
            }
            RouterConfig.FrrMode mode = f.oneOf("mode", Map.of("vtysh", RouterConfig.FrrMode.VTYSH,
                    "reload", RouterConfig.FrrMode.RELOAD), "vtysh or reload").orElse(RouterConfig.FrrMode.VTYSH);
            Path configFile = f.absolutePath("config_file", "/etc/frr/frr.conf");
            Path reload = f.absolutePath("frr_reload", "/usr/lib/frr/frr-reload.py");
            List<String> reloadArgs = f.arguments("frr_reload_args");
            return new RouterConfig.Frr(vtysh, vtyshArgs, asn, vrf, mode, configFile, reload, reloadArgs);
        }, () -> new RouterConfig.Frr(Path.of("/usr/bin/vtysh"), List.of(), 0, "", RouterConfig.FrrMode.VTYSH,
                Path.of("/etc/frr/frr.conf"), Path.of("/usr/lib/frr/frr-reload.py"), List.of()));
    }
}
