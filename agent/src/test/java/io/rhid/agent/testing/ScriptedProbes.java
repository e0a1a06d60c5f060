package io.rhid.agent.testing;

import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeProvider;
import io.rhid.checks.spi.ProbeSpec;
import io.rhid.checks.spi.SpecReader;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A check type for tests, {@code type: scripted, probe: NAME}: every check naming the same probe
 * gets the same {@link ScriptedProbe}, whose result the test sets.
 */
public final class ScriptedProbes implements ProbeProvider<ScriptedProbes.Spec> {

    public record Spec(String probe) implements ProbeSpec {
        @Override
        public String type() {
            return "scripted";
        }

        @Override
        public String target() {
            return probe;
        }
    }

    private final LongSupplier clock;
    private final Map<String, ScriptedProbe> probes = new ConcurrentHashMap<>();

    public ScriptedProbes(LongSupplier clock) {
        this.clock = clock;
    }

    public ScriptedProbe get(String name) {
        return probes.computeIfAbsent(name, n -> new ScriptedProbe(clock));
    }

    @Override
    public String type() {
        return "scripted";
    }

    @Override
    public Class<Spec> specType() {
        return Spec.class;
    }

    @Override
    public Spec parse(SpecReader reader) {
        return reader.requiredString("probe").map(Spec::new).orElse(null);
    }

    @Override
    public Probe create(Spec spec, ProbeContext context) {
        return get(spec.probe());
    }
}
