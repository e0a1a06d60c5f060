package io.rhid.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Binds a located YAML tree to {@link RhidConfig}: applies defaults and inheritance, and reports
 * every unknown key, wrong type, out-of-range value and inconsistency at its position. The root
 * and the small host-side sections are bound here; {@link RouterBinder}, {@link ServiceBinder} and
 * {@link CheckBinder} bind the rest.
 *
 * <p>Absent means default; present and invalid is an error, never clamped. One instance binds one
 * file on one thread.
 */
final class ConfigBinder {

    /** Service and check names. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    /** The longest interval or hold any key accepts. */
    static final Duration MAX_INTERVAL = Duration.ofHours(1);
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:-]{1,15}");

    private final Errors errors;
    private final Path source;
    private final RouterBinder routers;
    private final ServiceBinder services;

    ConfigBinder(Errors errors, ProbeTypes types, Path source) {
        this.errors = errors;
        this.source = source;
        this.routers = new RouterBinder(errors);
        this.services = new ServiceBinder(errors, types);
    }

    /** Binds the root; returns null when any error was reported (here or while parsing). */
    RhidConfig bind(YamlNode root) {
        Optional<Fields> top = Fields.of(root, "", errors);
        if (top.isEmpty()) {
            return null;
        }
        Fields f = top.get();
        RouterConfig router = routers.router(f.mapping("router"));
        RhidConfig.Addresses addresses = addresses(f.mapping("addresses"));
        RhidConfig.Status status = status(f.mapping("status"));
        RhidConfig.Control control = new RhidConfig.Control(
                Fields.section(f.mapping("control"), c -> c.absolutePath("socket", "/run/rhid/control.sock"),
                        () -> Path.of("/run/rhid/control.sock")));
        Path stateDir = f.absolutePath("state_dir", "/var/lib/rhid");
        RhidConfig.Safety safety = safety(f);
        TimingLayer defaults = f.mapping("defaults").map(d -> {
            TimingLayer l = TimingLayer.read(d);
            d.finish();
            return l;
        }).orElse(TimingLayer.NONE);
        Map<String, ServiceConfig> bound = services.services(f, defaults, router, safety);
        f.finish();
        if (errors.count() > 0) {
            return null;
        }
        return new RhidConfig(source, router, addresses, status, control, stateDir, safety, new TreeMap<>(bound));
    }

    // ---- guard rails -------------------------------------------------------------------------

    private RhidConfig.Safety safety(Fields f) {
        List<Prefix> allowed = new ArrayList<>();
        List<YamlNode> items = f.sequence("allowed_prefixes").orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            String at = Errors.index(f.pathOf("allowed_prefixes"), i);
            Optional<String> text = Fields.scalarText(items.get(i), at, errors, "a prefix such as 198.51.100.0/24");
            if (text.isPresent()) {
                Prefix.Parsed p = Prefix.parse(text.get());
                if (p.prefix() == null) {
                    errors.at(items.get(i), at, p.error());
                } else {
                    allowed.add(p.prefix());
                }
            }
        }
        if (f.has("allowed_prefixes") && items.isEmpty() && !errors.hasErrorsUnder(f.pathOf("allowed_prefixes"))) {
            f.error("allowed_prefixes", "must list at least one prefix, or be left out");
        }
        boolean allowShort = f.bool("allow_short_prefixes").orElse(false);
        Duration startupDelay = f.durationIn("startup_delay", Duration.ZERO, MAX_INTERVAL).orElse(Duration.ZERO);
        RhidConfig.Flap flap = Fields.section(f.mapping("flap"), m -> new RhidConfig.Flap(
                m.integer("max_changes", 0, 1000).orElse((long) RhidConfig.Flap.DEFAULT.maxChanges()).intValue(),
                m.durationIn("window", Duration.ofSeconds(1), Duration.ofHours(24)).orElse(RhidConfig.Flap.DEFAULT.window()),
                m.durationIn("hold", Duration.ofSeconds(1), Duration.ofHours(24)).orElse(RhidConfig.Flap.DEFAULT.hold())),
                () -> RhidConfig.Flap.DEFAULT);
        return new RhidConfig.Safety(allowed, allowShort, startupDelay, flap);
    }

    // ---- host-side sections ------------------------------------------------------------------

    private RhidConfig.Addresses addresses(Optional<Fields> section) {
        return Fields.section(section, a -> new RhidConfig.Addresses(
                a.bool("manage").orElse(true),
                a.matching("interface", INTERFACE, "an interface name of 1-15 letters, digits, '_', '-', '.' or ':'").orElse("lo"),
                a.bool("remove_when_down").orElse(false)),
                () -> new RhidConfig.Addresses(true, "lo", false));
    }

    private RhidConfig.Status status(Optional<Fields> section) {
        return Fields.section(section, s -> {
            boolean allowRemote = s.bool("allow_remote").orElse(false);
            boolean showCommands = s.bool("show_commands").orElse(false);
            RhidConfig.Status status = new RhidConfig.Status("127.0.0.1", 9790, allowRemote, showCommands);
            Optional<String> listen = s.string("listen");
            if (listen.isPresent()) {
                HostPort hp = HostPort.parse(listen.get());
                if (hp == null) {
                    s.error("listen", "must be HOST:PORT with an IP address or localhost and a port 1-65535 (found \""
                            + listen.get() + "\")");
                } else if (!hp.isLoopback() && !allowRemote) {
                    s.error("listen", "must be a loopback address unless status.allow_remote is true (found \""
                            + listen.get() + "\")");
                } else {
                    status = new RhidConfig.Status(hp.host(), hp.port(), allowRemote, showCommands);
                }
            }
            return status;
        }, () -> new RhidConfig.Status("127.0.0.1", 9790, false));
    }
}
