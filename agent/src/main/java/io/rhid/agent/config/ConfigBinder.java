package io.rhid.agent.config;

import io.rhid.checks.spi.ProbeProvider;
import io.rhid.checks.spi.ProbeSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Binds a located YAML tree to {@link RhidConfig}: applies defaults and inheritance, and reports
 * every unknown key, wrong type, out-of-range value and inconsistency at its position.
 *
 * <p>Absent means default; present and invalid is an error, never clamped. One instance binds one
 * file on one thread.
 */
final class ConfigBinder {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern BIRD_SYMBOL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:-]{1,15}");
    private static final Pattern VRF = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern ARGUMENT = Pattern.compile("[^\\x00-\\x1f\\x7f]*");

    private static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    private static final Duration MAX_INTERVAL = Duration.ofHours(1);
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(1);
    private static final int MAX_RISE_FALL = 100;
    private static final int MAX_PREPEND = 10;

    private final Errors errors;
    private final ProbeTypes types;
    private final Path source;

    ConfigBinder(Errors errors, ProbeTypes types, Path source) {
        this.errors = errors;
        this.types = types;
        this.source = source;
    }

    /** Binds the root; returns null when any error was reported (here or while parsing). */
    RhidConfig bind(YamlNode root) {
        Optional<Fields> top = Fields.of(root, "", errors);
        if (top.isEmpty()) {
            return null;
        }
        Fields f = top.get();
        RouterConfig router = router(f.mapping("router"));
        RhidConfig.Addresses addresses = addresses(f.mapping("addresses"));
        RhidConfig.Status status = status(f.mapping("status"));
        RhidConfig.Control control = new RhidConfig.Control(
                section(f.mapping("control"), c -> absolutePath(c, "socket", "/run/rhid/control.sock"),
                        () -> Path.of("/run/rhid/control.sock")));
        Path stateDir = absolutePath(f, "state_dir", "/var/lib/rhid");
        RhidConfig.Safety safety = safety(f);
        Layer defaults = f.mapping("defaults").map(d -> {
            Layer l = layer(d);
            d.finish();
            return l;
        }).orElse(Layer.NONE);
        Map<String, ServiceConfig> services = services(f, defaults, router, safety);
        f.finish();
        if (errors.count() > 0) {
            return null;
        }
        return new RhidConfig(source, router, addresses, status, control, stateDir, safety, new TreeMap<>(services));
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
        Duration startupDelay = durationIn(f, "startup_delay", Duration.ZERO, MAX_INTERVAL).orElse(Duration.ZERO);
        RhidConfig.Flap flap = section(f.mapping("flap"), m -> new RhidConfig.Flap(
                m.integer("max_changes", 0, 1000).orElse((long) RhidConfig.Flap.DEFAULT.maxChanges()).intValue(),
                durationIn(m, "window", Duration.ofSeconds(1), Duration.ofHours(24)).orElse(RhidConfig.Flap.DEFAULT.window()),
                durationIn(m, "hold", Duration.ofSeconds(1), Duration.ofHours(24)).orElse(RhidConfig.Flap.DEFAULT.hold())),
                () -> RhidConfig.Flap.DEFAULT);
        return new RhidConfig.Safety(allowed, allowShort, startupDelay, flap);
    }

    /** The prefix is allowed by allowed_prefixes, or, without that list, is not short or default. */
    private void checkAllowed(Prefix p, YamlNode node, String at, RhidConfig.Safety safety) {
        if (!safety.allowedPrefixes().isEmpty()) {
            if (safety.allowedPrefixes().stream().noneMatch(range -> range.contains(p))) {
                errors.at(node, at, p + " is not inside allowed_prefixes ("
                        + String.join(", ", safety.allowedPrefixes().stream().map(Prefix::toString).toList()) + ")");
            }
            return;
        }
        if (safety.allowShortPrefixes()) {
            return;
        }
        int shortest = p.v6() ? 48 : 24;
        if (p.length() == 0) {
            errors.at(node, at, p + " is a default route; rhid refuses to announce one unless allow_short_prefixes is true");
        } else if (p.length() < shortest) {
            errors.at(node, at, p + " is shorter than /" + shortest + "; list its range under allowed_prefixes or set "
                    + "allow_short_prefixes: true");
        }
    }

    // ---- router ------------------------------------------------------------------------------

    private RouterConfig router(Optional<Fields> section) {
        Fields r = section.orElse(null);
        RouterConfig.Daemon daemon = RouterConfig.Daemon.BIRD;
        Duration reconcile = Duration.ofSeconds(10);
        Duration commandTimeout = Duration.ofSeconds(10);
        Optional<Fields> bird = Optional.empty();
        Optional<Fields> frr = Optional.empty();
        Optional<Fields> exabgp = Optional.empty();
        if (r != null) {
            daemon = oneOf(r, "daemon", Map.of("bird", RouterConfig.Daemon.BIRD, "frr", RouterConfig.Daemon.FRR,
                    "exabgp", RouterConfig.Daemon.EXABGP), "bird, frr or exabgp")
                    .orElse(RouterConfig.Daemon.BIRD);
            reconcile = durationIn(r, "reconcile_interval", Duration.ofMillis(100), MAX_INTERVAL).orElse(reconcile);
            commandTimeout = durationIn(r, "command_timeout", Duration.ofMillis(100), Duration.ofMinutes(5)).orElse(commandTimeout);
            bird = r.mapping("bird");
            frr = r.mapping("frr");
            exabgp = r.mapping("exabgp");
        }
        RouterConfig.Bird b = bird(bird);
        RouterConfig.Frr fr = frr(frr, daemon == RouterConfig.Daemon.FRR, r);
        RouterConfig.Exabgp ex = section(exabgp,
                e -> new RouterConfig.Exabgp(e.integer("asn", 1, 4294967295L).map(OptionalLong::of).orElse(OptionalLong.empty())),
                () -> RouterConfig.Exabgp.DEFAULT);
        if (r != null) {
            r.finish();
        }
        return new RouterConfig(daemon, b, fr, ex, reconcile, commandTimeout);
    }

    private RouterConfig.Bird bird(Optional<Fields> section) {
        return section(section, b -> {
            Path include = absolutePath(b, "include_file", "/etc/bird/rhid.conf");
            Optional<Path> birdc = b.has("birdc") ? Optional.of(absolutePath(b, "birdc", "/usr/sbin/birdc")) : Optional.empty();
            Path socket = absolutePath(b, "socket", "/run/bird/bird.ctl");
            String v4 = matching(b, "protocol_v4", BIRD_SYMBOL, "a BIRD symbol: a letter or underscore, then letters, digits or underscores").orElse("rhid4");
            String v6 = matching(b, "protocol_v6", BIRD_SYMBOL, "a BIRD symbol: a letter or underscore, then letters, digits or underscores").orElse("rhid6");
            if (v4.equals(v6)) {
                b.value("protocol_v6").ifPresentOrElse(
                        n -> errors.at(n, b.pathOf("protocol_v6"), "must differ from protocol_v4 (both are " + v6 + ")"),
                        () -> b.value("protocol_v4").ifPresent(n -> errors.at(n, b.pathOf("protocol_v4"),
                                "must differ from protocol_v6 (both are " + v4 + ")")));
            }
            OptionalLong asn = b.integer("asn", 1, 4294967295L).map(OptionalLong::of).orElse(OptionalLong.empty());
            return new RouterConfig.Bird(include, birdc, socket, v4, v6, asn);
        }, () -> new RouterConfig.Bird(Path.of("/etc/bird/rhid.conf"), Optional.empty(),
                Path.of("/run/bird/bird.ctl"), "rhid4", "rhid6", OptionalLong.empty()));
    }

    private RouterConfig.Frr frr(Optional<Fields> section, boolean inUse, Fields router) {
        if (section.isEmpty() && inUse && router != null) {
            errors.at(router.node(), router.pathOf("frr.asn"), "is required when router.daemon is frr");
        }
        return section(section, f -> {
            Path vtysh = absolutePath(f, "vtysh", "/usr/bin/vtysh");
            List<String> vtyshArgs = arguments(f, "vtysh_args");
            long asn = f.integer("asn", 1, 4294967295L).orElse(0L);
            if (!f.has("asn") && inUse) {
                errors.at(f.node(), f.pathOf("asn"), "is required when router.daemon is frr");
            }
            String vrf = f.string("vrf").orElse("");
            if (!vrf.isEmpty() && !VRF.matcher(vrf).matches()) {
                f.error("vrf", "must be empty (the default VRF) or 1-15 letters, digits, '_', '-' or '.' (found \"" + vrf + "\")");
            }
            RouterConfig.FrrMode mode = oneOf(f, "mode", Map.of("vtysh", RouterConfig.FrrMode.VTYSH,
                    "reload", RouterConfig.FrrMode.RELOAD), "vtysh or reload").orElse(RouterConfig.FrrMode.VTYSH);
            Path configFile = absolutePath(f, "config_file", "/etc/frr/frr.conf");
            Path reload = absolutePath(f, "frr_reload", "/usr/lib/frr/frr-reload.py");
            List<String> reloadArgs = arguments(f, "frr_reload_args");
            return new RouterConfig.Frr(vtysh, vtyshArgs, asn, vrf, mode, configFile, reload, reloadArgs);
        }, () -> new RouterConfig.Frr(Path.of("/usr/bin/vtysh"), List.of(), 0, "", RouterConfig.FrrMode.VTYSH,
                Path.of("/etc/frr/frr.conf"), Path.of("/usr/lib/frr/frr-reload.py"), List.of()));
    }

    // ---- host-side sections ------------------------------------------------------------------

    private RhidConfig.Addresses addresses(Optional<Fields> section) {
        return section(section, a -> new RhidConfig.Addresses(
                a.bool("manage").orElse(true),
                matching(a, "interface", INTERFACE, "an interface name of 1-15 letters, digits, '_', '-', '.' or ':'").orElse("lo"),
                a.bool("remove_when_down").orElse(false)),
                () -> new RhidConfig.Addresses(true, "lo", false));
    }

    private RhidConfig.Status status(Optional<Fields> section) {
        return section(section, s -> {
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

    // ---- services ----------------------------------------------------------------------------

    private Map<String, ServiceConfig> services(Fields top, Layer defaults, RouterConfig router, RhidConfig.Safety safety) {
        Map<String, ServiceConfig> out = new HashMap<>();
        Optional<Fields> section = top.mapping("services");
        if (section.isEmpty()) {
            return out;
        }
        for (YamlNode.Entry e : section.get().entries()) {
            String path = section.get().pathOf(e.key());
            section.get().allow(e.key());
            if (!NAME.matcher(e.key()).matches()) {
                errors.at(e.line(), e.column(), path, "service name must match " + NAME.pattern() + " (found \"" + e.key() + "\")");
            }
            Fields.of(e.value(), path, errors).ifPresent(s -> {
                ServiceConfig svc = service(e.key(), s, defaults, router, safety);
                if (svc != null) {
                    out.put(e.key(), svc);
                }
            });
        }
        return out;
    }

    private ServiceConfig service(String name, Fields s, Layer defaults, RouterConfig router, RhidConfig.Safety safety) {
        List<Prefix> prefixes = prefixes(s, safety);
        Layer layer = layer(s).over(defaults);
        Announce announce = announce(s.mapping("announce"), router);
        Duration drainHold = durationIn(s, "drain_hold", Duration.ZERO, MAX_INTERVAL).orElse(Duration.ofSeconds(30));
        List<String> onChange = command(s, "on_change");
        List<CheckConfig> checks = checks(s, layer);
        Policy policy = policy(s, s.value("checks").filter(YamlNode.Sequence.class::isInstance)
                .map(n -> ((YamlNode.Sequence) n).items().size()).orElse(0));
        s.finish();
        if (errors.hasErrorsUnder(s.path())) {
            return null;
        }
        return new ServiceConfig(name, prefixes, policy, announce, drainHold, checks, onChange);
    }

    private List<Prefix> prefixes(Fields s, RhidConfig.Safety safety) {
        List<Prefix> out = new ArrayList<>();
        if (!s.has("prefixes")) {
            s.missing("prefixes");
            return out;
        }
        List<YamlNode> items = s.sequence("prefixes").orElse(List.of());
        if (items.isEmpty() && !errors.hasErrorsUnder(s.pathOf("prefixes"))) {
            s.error("prefixes", "must list at least one prefix");
        }
        Map<Prefix, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String at = Errors.index(s.pathOf("prefixes"), i);
            YamlNode item = items.get(i);
            Optional<String> text = Fields.scalarText(item, at, errors, "a prefix such as 198.51.100.53/32");
            if (text.isEmpty()) {
                continue;
            }
            Prefix.Parsed parsed = Prefix.parse(text.get());
            if (parsed.prefix() == null) {
                errors.at(item, at, parsed.error());
                continue;
            }
            Integer first = seen.putIfAbsent(parsed.prefix(), i);
            if (first != null) {
                errors.at(item, at, "duplicate prefix " + parsed.prefix() + " (also prefixes[" + first + "])");
                continue;
            }
            checkAllowed(parsed.prefix(), item, at, safety);
            out.add(parsed.prefix());
        }
        return out;
    }

    private Policy policy(Fields s, int checkCount) {
        Optional<YamlNode> node = s.value("policy");
        if (node.isEmpty()) {
            return Policy.ALL;
        }
        String allowed = checkCount > 1
                ? "must be all, any or a number from 1 to " + checkCount + " (the number of checks)"
                : checkCount == 1 ? "must be all, any or 1 (the number of checks)"
                : "must be all, any or a number of checks";
        if (node.get() instanceof YamlNode.Scalar sc) {
            if (sc.kind() == YamlNode.Kind.STRING && sc.text().equals("all")) {
                return Policy.ALL;
            }
            if (sc.kind() == YamlNode.Kind.STRING && sc.text().equals("any")) {
                return Policy.ANY;
            }
            if (sc.kind() == YamlNode.Kind.INTEGER && sc.text().matches("\\d{1,9}")) {
                int n = Integer.parseInt(sc.text());
                if (n >= 1 && (checkCount == 0 || n <= checkCount)) {
                    return Policy.atLeast(n);
                }
            }
        }
        errors.at(node.get(), s.pathOf("policy"), allowed + " (found " + node.get().describe() + ")");
        return Policy.ALL;
    }

    private Announce announce(Optional<Fields> section, RouterConfig router) {
        return section(section, a -> {
            Attributes up = a.mapping("up").map(m -> attributes(m, router)).orElse(Attributes.NONE);
            Attributes degraded = a.mapping("degraded").map(m -> attributes(m, router)).orElse(up);
            Attributes draining = a.mapping("draining").map(m -> attributes(m, router))
                    .orElse(up.with(Community.GRACEFUL_SHUTDOWN));
            return new Announce(up, degraded, draining);
        }, () -> Announce.DEFAULT);
    }

    private Attributes attributes(Fields a, RouterConfig router) {
        List<Community> communities = parsedList(a, "communities", Community::parse,
                "must be a community ASN:VALUE with each part 0-65535");
        List<LargeCommunity> large = parsedList(a, "large_communities", LargeCommunity::parse,
                "must be a large community GLOBAL:LOCAL1:LOCAL2 with each part 0-4294967295");
        OptionalLong med = a.integer("med", 0, 4294967295L).map(OptionalLong::of).orElse(OptionalLong.empty());
        int prepend = a.integer("prepend", 0, MAX_PREPEND).orElse(0L).intValue();
        if (prepend > 0 && router.daemon() == RouterConfig.Daemon.BIRD && router.bird().asn().isEmpty()) {
            a.error("prepend", "needs router.bird.asn, the local ASN to prepend");
        }
        if (prepend > 0 && router.daemon() == RouterConfig.Daemon.EXABGP && router.exabgp().asn().isEmpty()) {
            a.error("prepend", "needs router.exabgp.asn, the local ASN to prepend");
        }
        a.finish();
        return new Attributes(communities, large, med, prepend);
    }

    private <T> List<T> parsedList(Fields f, String key, Function<String, T> parse, String expected) {
        List<T> out = new ArrayList<>();
        List<String> texts = f.strings(key).orElse(List.of());
        for (int i = 0; i < texts.size(); i++) {
            T value = parse.apply(texts.get(i));
            if (value == null) {
                f.error(key + "[" + i + "]", expected + " (found \"" + texts.get(i) + "\")");
            } else {
                out.add(value);
            }
        }
        return out;
    }

    // ---- checks ------------------------------------------------------------------------------

    private List<CheckConfig> checks(Fields s, Layer service) {
        List<CheckConfig> out = new ArrayList<>();
        if (!s.has("checks")) {
            s.missing("checks");
            return out;
        }
        List<YamlNode> items = s.sequence("checks").orElse(List.of());
        if (items.isEmpty() && !errors.hasErrorsUnder(s.pathOf("checks"))) {
            s.error("checks", "must list at least one check");
        }
        record Parsed(int index, String explicitName, ProbeSpec spec, Timing timing, Fields fields) {
        }
        List<Parsed> parsed = new ArrayList<>();
        Map<String, Integer> typeCounts = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String path = Errors.index(s.pathOf("checks"), i);
            Optional<Fields> c = Fields.of(items.get(i), path, errors);
            if (c.isEmpty()) {
                continue;
            }
            Fields f = c.get();
            Optional<String> type = f.requiredString("type");
            Optional<ProbeProvider<?>> provider = type.flatMap(types::get);
            if (type.isPresent() && provider.isEmpty()) {
                f.error("type", "unknown check type \"" + type.get() + "\" (known: " + String.join(", ", types.names()) + ")");
            }
            // "id", not "name": the dns check's "name" is the name it queries.
            String name = matching(f, "id", NAME, "an id matching " + NAME.pattern()).orElse(null);
            Timing timing = timing(layer(f).over(service));
            ProbeSpec spec = null;
            if (provider.isPresent()) {
                spec = provider.get().parse(f);
                f.finish();
            }
            type.ifPresent(t -> typeCounts.merge(t, 1, Integer::sum));
            if (spec != null && timing != null && !f.hasErrors()) {
                parsed.add(new Parsed(i, name, spec, timing, f));
            }
        }
        Map<String, Integer> nthOfType = new HashMap<>();
        Map<String, Integer> names = new HashMap<>();
        for (Parsed p : parsed) {
            String type = p.spec().type();
            int nth = nthOfType.merge(type, 1, Integer::sum);
            String name = p.explicitName() != null ? p.explicitName()
                    : typeCounts.get(type) > 1 ? type + "-" + nth : type;
            Integer first = names.putIfAbsent(name, p.index());
            if (first != null) {
                String at = p.explicitName() != null ? p.fields().pathOf("id") : p.fields().path();
                YamlNode node = p.explicitName() != null ? p.fields().value("id").orElseThrow() : p.fields().node();
                errors.at(node, at, "duplicate check id \"" + name + "\" (also checks[" + first + "])");
                continue;
            }
            out.add(new CheckConfig(name, p.index(), p.spec(), p.timing()));
        }
        return out;
    }

    // ---- timing inheritance ------------------------------------------------------------------

    /** A value of one timing key and where it was set. */
    private record Setting<T>(T value, YamlNode node, String path) {
    }

    /** The timing keys set at one level (defaults, service or check); null where absent. */
    private record Layer(Setting<Duration> interval, Setting<Duration> fastInterval, Setting<Duration> timeout,
                         Setting<Integer> rise, Setting<Integer> fall) {

        static final Layer NONE = new Layer(null, null, null, null, null);

        /** This layer's settings, falling back to {@code outer}'s where absent. */
        Layer over(Layer outer) {
            return new Layer(pick(interval, outer.interval), pick(fastInterval, outer.fastInterval),
                    pick(timeout, outer.timeout), pick(rise, outer.rise), pick(fall, outer.fall));
        }

        private static <T> Setting<T> pick(Setting<T> inner, Setting<T> outer) {
            return inner != null ? inner : outer;
        }
    }

    private Layer layer(Fields f) {
        return new Layer(
                setting(f, "interval", durationIn(f, "interval", MIN_INTERVAL, MAX_INTERVAL)),
                setting(f, "fast_interval", durationIn(f, "fast_interval", Duration.ZERO, MAX_INTERVAL)),
                setting(f, "timeout", durationIn(f, "timeout", Duration.ofMillis(1), MAX_INTERVAL)),
                setting(f, "rise", f.integer("rise", 1, MAX_RISE_FALL).map(Long::intValue)),
                setting(f, "fall", f.integer("fall", 1, MAX_RISE_FALL).map(Long::intValue)));
    }

    private static <T> Setting<T> setting(Fields f, String key, Optional<T> value) {
        return value.map(v -> new Setting<>(v, f.value(key).orElseThrow(), f.pathOf(key))).orElse(null);
    }

    /**
     * Resolves one check's layers. Unset values default: interval 2s, timeout half the interval up
     * to 1s, fast_interval a tenth of the interval but at least 10ms, rise and fall 2.
     */
    private Timing timing(Layer l) {
        Duration interval = l.interval() != null ? l.interval().value() : Duration.ofSeconds(2);
        Duration timeout = l.timeout() != null ? l.timeout().value() : min(MAX_TIMEOUT, interval.dividedBy(2));
        boolean ok = true;
        if (l.timeout() != null && timeout.compareTo(interval) >= 0) {
            ok = false;
            // Point at the more specific of the two settings: that is the one the operator just wrote.
            if (l.interval() != null && depth(l.interval().path()) > depth(l.timeout().path())) {
                errors.at(l.interval().node(), l.interval().path(), "must be greater than timeout (interval="
                        + Durations.format(interval) + ", timeout=" + Durations.format(timeout) + " from " + l.timeout().path() + ")");
            } else {
                errors.at(l.timeout().node(), l.timeout().path(), "must be less than interval (timeout="
                        + Durations.format(timeout) + ", interval=" + Durations.format(interval) + ")");
            }
        }
        Duration fast;
        if (l.fastInterval() == null) {
            fast = min(interval, max(MIN_INTERVAL, interval.dividedBy(10)));
        } else if (l.fastInterval().value().isZero()) {
            fast = interval;
        } else {
            fast = l.fastInterval().value();
            if (fast.compareTo(MIN_INTERVAL) < 0 || fast.compareTo(interval) > 0) {
                ok = false;
                errors.at(l.fastInterval().node(), l.fastInterval().path(), "must be 0 or between 10ms and interval (found "
                        + Durations.format(fast) + ", interval=" + Durations.format(interval) + ")");
            }
        }
        int rise = l.rise() != null ? l.rise().value() : 2;
        int fall = l.fall() != null ? l.fall().value() : 2;
        return ok ? new Timing(interval, fast, timeout, rise, fall) : null;
    }

    private static int depth(String path) {
        return path.split("[.\\[]").length;
    }

    // ---- scalar helpers ----------------------------------------------------------------------

    private static <T> T section(Optional<Fields> section, Function<Fields, T> read, java.util.function.Supplier<T> absent) {
        if (section.isEmpty()) {
            return absent.get();
        }
        T value = read.apply(section.get());
        section.get().finish();
        return value;
    }

    private <T> Optional<T> oneOf(Fields f, String key, Map<String, T> choices, String allowed) {
        Optional<String> text = f.string(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        T value = choices.get(text.get());
        if (value == null) {
            f.error(key, "must be " + allowed + " (found " + f.value(key).orElseThrow().describe() + ")");
        }
        return Optional.ofNullable(value);
    }

    private Optional<String> matching(Fields f, String key, Pattern pattern, String expected) {
        Optional<String> text = f.string(key);
        if (text.isPresent() && !pattern.matcher(text.get()).matches()) {
            f.error(key, "must be " + expected + " (found " + f.value(key).orElseThrow().describe() + ")");
            return Optional.empty();
        }
        return text;
    }

    private Optional<Duration> durationIn(Fields f, String key, Duration min, Duration max) {
        Optional<Duration> d = f.duration(key);
        if (d.isPresent() && (d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0)) {
            f.error(key, "must be between " + Durations.format(min) + " and " + Durations.format(max)
                    + " (found " + Durations.format(d.get()) + ")");
            return Optional.empty();
        }
        return d;
    }

    private Path absolutePath(Fields f, String key, String fallback) {
        Optional<String> text = f.string(key);
        if (text.isEmpty()) {
            return Path.of(fallback);
        }
        String p = text.get();
        if (!p.startsWith("/") || !ARGUMENT.matcher(p).matches()) {
            f.error(key, "must be an absolute path (found \"" + p + "\")");
            return Path.of(fallback);
        }
        return Path.of(p);
    }

    /** A command to run without a shell: absolute, executable argv[0], no control characters. */
    private List<String> command(Fields f, String key) {
        if (!f.has(key)) {
            return List.of();
        }
        List<String> argv = arguments(f, key);
        if (argv.isEmpty()) {
            if (!errors.hasErrorsUnder(f.pathOf(key))) {
                f.error(key, "must list the command and its arguments, such as [/usr/local/bin/notify, --quiet]");
            }
            return List.of();
        }
        Path program = Path.of(argv.get(0));
        if (!program.isAbsolute()) {
            f.error(key + "[0]", "must be an absolute path (found \"" + argv.get(0) + "\")");
        } else if (!java.nio.file.Files.isRegularFile(program) || !java.nio.file.Files.isExecutable(program)) {
            f.error(key + "[0]", "must be an executable file (found \"" + argv.get(0) + "\")");
        } else {
            io.rhid.checks.spi.Permissions.unsafeWrite(program)
                    .ifPresent(why -> f.error(key + "[0]", "\"" + argv.get(0) + "\" " + why));
        }
        return argv;
    }

    private List<String> arguments(Fields f, String key) {
        List<String> args = f.strings(key).orElse(List.of());
        for (int i = 0; i < args.size(); i++) {
            if (!ARGUMENT.matcher(args.get(i)).matches()) {
                f.error(key + "[" + i + "]", "must not contain control characters such as newlines");
            }
        }
        return args;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
