package io.rhid.agent.config;

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

    private final Map<String, ProbeProvider> providers;

    private ProbeTypes(Map<String, ProbeProvider> providers) {
        this.providers = Map.copyOf(providers);
    }

    /** The providers listed in {@code META-INF/services} on this class's class path. */
    public static ProbeTypes load() {
        Map<String, ProbeProvider> found = new TreeMap<>();
        for (ProbeProvider p : ServiceLoader.load(ProbeProvider.class, ProbeTypes.class.getClassLoader())) {
            ProbeProvider clash = found.putIfAbsent(p.type(), p);
            if (clash != null) {
                throw new IllegalStateException("check type " + p.type() + " is provided by both "
                        + clash.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return new ProbeTypes(found);
    }

    /** Exactly the given providers, for tests. */
    public static ProbeTypes of(ProbeProvider... providers) {
        Map<String, ProbeProvider> map = new TreeMap<>();
        for (ProbeProvider p : providers) {
            map.put(p.type(), p);
        }
        return new ProbeTypes(map);
    }

    public Optional<ProbeProvider> get(String type) {
        return Optional.ofNullable(providers.get(type));
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
                p.warmUp(List.copyOf(list));
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(ProbeTypes.class).warn("{}: warm-up failed: {}", type, e.toString());
            }
        }));
    }

    /** The type names, sorted. */
    public Set<String> names() {
        return new java.util.TreeSet<>(providers.keySet());
    }
}
