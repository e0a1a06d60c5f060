package io.rhid.agent.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Binds the {@code services} section: each service's prefixes (within the guard rails), policy,
 * announce attributes, drain hold and hook, and (through {@link CheckBinder}) its checks. One
 * instance binds one file on one thread.
 */
final class ServiceBinder {

    private static final int MAX_PREPEND = 10;

    private final Errors errors;
    private final CheckBinder checkBinder;

    ServiceBinder(Errors errors, ProbeTypes types) {
        this.errors = errors;
        this.checkBinder = new CheckBinder(errors, types);
    }

    Map<String, ServiceConfig> services(Fields top, TimingLayer defaults, RouterConfig router, RhidConfig.Safety safety) {
        Map<String, ServiceConfig> out = new HashMap<>();
        Optional<Fields> section = top.mapping("services");
        if (section.isEmpty()) {
            return out;
        }
        for (YamlNode.Entry e : section.get().entries()) {
            String path = section.get().pathOf(e.key());
            section.get().allow(e.key());
            if (!ConfigBinder.NAME.matcher(e.key()).matches()) {
                errors.at(e.line(), e.column(), path, "service name must match " + ConfigBinder.NAME.pattern() + " (found \"" + e.key() + "\")");
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

    private ServiceConfig service(String name, Fields s, TimingLayer defaults, RouterConfig router, RhidConfig.Safety safety) {
        List<Prefix> prefixes = prefixes(s, safety);
        TimingLayer layer = TimingLayer.read(s).over(defaults);
        Announce announce = announce(s.mapping("announce"), router);
        Duration drainHold = s.durationIn("drain_hold", Duration.ZERO, ConfigBinder.MAX_INTERVAL).orElse(Duration.ofSeconds(30));
        List<String> onChange = s.command("on_change");
        List<CheckConfig> checks = checkBinder.checks(s, layer);
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
        List<YamlNode> items = s.requiredSequence("prefixes", "must list at least one prefix");
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
        return Fields.section(section, a -> {
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
}
