package io.rhid.agent.config;

import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeProvider;
import io.rhid.checks.spi.ProbeSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.LoggerFactory;

/**
 * The check types on the class path, found through {@link ServiceLoader}; the agent knows no probe
 * type by name. Immutable after construction, so it may be shared between threads.
 */
public final class ProbeTypes {

    private final Map<String, ProbeProvider<?>> providers;

    private ProbeTypes(Map<String, ProbeProvider<?>> providers) {
        this.providers = Map.copyOf(providers);
    }

    /** The providers listed in {@code META-INF/services} on this class's class path. */
    public static ProbeTypes load() {
        Map<String, ProbeProvider<?>> found = new TreeMap<>();
        for (ProbeProvider<?> p : ServiceLoader.load(ProbeProvider.class, ProbeTypes.class.getClassLoader())) {
            ProbeProvider<?> clash = found.putIfAbsent(p.type(), p);
            if (clash != null) {
                throw new IllegalStateException("check type " + p.type() + " is provided by both "
                        + clash.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return new ProbeTypes(found);
    }

    /** Exactly the given providers, for tests. */
    public static ProbeTypes of(ProbeProvider<?>... providers) {
        Map<String, ProbeProvider<?>> map = new TreeMap<>();
        for (ProbeProvider<?> p : providers) {
            map.put(p.type(), p);
        }
        return new ProbeTypes(map);
    }

    public Optional<ProbeProvider<?>> get(String type) {
        return Optional.ofNullable(providers.get(type));
    }

    /**
     * Creates the probe for a spec that a provider of this set parsed, through that provider.
     *
     * @throws IllegalArgumentException if no provider here parses specs of {@code spec}'s type
     */
    public Probe create(ProbeSpec spec, ProbeContext context) {
        return create(provider(spec), spec, context);
    }

    private static <S extends ProbeSpec> Probe create(ProbeProvider<S> provider, ProbeSpec spec, ProbeContext context) {
        return provider.create(provider.specType().cast(spec), context);
    }

    private ProbeProvider<?> provider(ProbeSpec spec) {
        ProbeProvider<?> p = providers.get(spec.type());
        if (p == null || !p.specType().isInstance(spec)) {
            throw new IllegalArgumentException("no provider of check type " + spec.type() + " for " + spec.getClass().getName());
        }
        return p;
    }

    /**
     * Warms up the shared machinery of every type {@code specs} use (see
     * {@link ProbeProvider#warmUp}), so that the first probes' timeouts cover only their
     * exchanges. A provider that throws is skipped: its first probes are merely slower.
     */
    public void warmUp(Collection<ProbeSpec> specs) {
        Map<String, List<ProbeSpec>> byType = new TreeMap<>();
        for (ProbeSpec spec : specs) {
            byType.computeIfAbsent(spec.type(), t -> new ArrayList<>()).add(spec);
        }
        byType.forEach((type, list) -> get(type).ifPresent(p -> {
            try {
                warmUp(p, list);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(ProbeTypes.class).warn("{}: warm-up failed: {}", type, e.toString());
            }
        }));
    }

    private static <S extends ProbeSpec> void warmUp(ProbeProvider<S> provider, List<ProbeSpec> specs) {
        provider.warmUp(specs.stream().filter(provider.specType()::isInstance).map(provider.specType()::cast).toList());
    }

    /** The type names, sorted. */
    public Set<String> names() {
        return new java.util.TreeSet<>(providers.keySet());
    }
}
