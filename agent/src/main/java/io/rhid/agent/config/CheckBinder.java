package io.rhid.agent.config;

import io.rhid.checks.spi.ProbeProvider;
import io.rhid.checks.spi.ProbeSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds a service's {@code checks} list: each check's type-specific fields through its provider,
 * its timing through the inherited layers, and a name unique within the service. One instance
 * binds one file on one thread.
 */
final class CheckBinder {

    private final Errors errors;
    private final ProbeTypes types;

    CheckBinder(Errors errors, ProbeTypes types) {
        this.errors = errors;
        this.types = types;
    }

    /** The service's checks, each with its timing over {@code service}'s layer. */
    List<CheckConfig> checks(Fields s, TimingLayer service) {
        List<CheckConfig> out = new ArrayList<>();
        List<YamlNode> items = s.requiredSequence("checks", "must list at least one check");
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
            String name = f.matching("id", ConfigBinder.NAME, "an id matching " + ConfigBinder.NAME.pattern()).orElse(null);
            Timing timing = TimingLayer.read(f).over(service).resolve(errors);
            Optional<Boolean> watch = f.bool("watch");
            ProbeSpec spec = null;
            if (provider.isPresent()) {
                spec = provider.get().parse(f);
                f.finish();
            }
            if (spec != null && timing != null) {
                // Default on wherever it applies; asked for where it cannot apply is an error.
                Optional<String> whyNot = WatchTargets.whyNot(spec);
                if (watch.orElse(false) && whyNot.isPresent()) {
                    f.error("watch", whyNot.get());
                }
                timing = timing.watching(watch.orElse(true) && whyNot.isEmpty());
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
}
