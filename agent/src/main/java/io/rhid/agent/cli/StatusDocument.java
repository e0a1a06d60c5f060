package io.rhid.agent.cli;

import io.rhid.agent.status.StatusSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds the daemon's status document (as {@link Json#parse} reads it) to a {@link StatusSnapshot}
 * by hand, the way {@code StatusJson}'s Jackson mapper would: snake_case keys, unknown keys
 * ignored (a newer daemon may add some), an absent or null number is 0, an absent object or text
 * null. Written out because Jackson's record binding costs a short CLI call more than the rest of
 * its work. Pure.
 */
final class StatusDocument {

    private StatusDocument() {
    }

    /**
     * @throws IllegalArgumentException if a value has the wrong type
     * @throws NullPointerException     if a list the snapshot needs is missing
     */
    static StatusSnapshot snapshot(Map<?, ?> m) {
        return new StatusSnapshot(text(m, "version"), number(m, "generated_at_millis").longValue(), text(m, "config"),
                services(objects(m, "services")), announced(objects(m, "announced")), router(object(m, "router")),
                exports(object(m, "exports")));
    }

    // Plain loops rather than streams and method references: the first lambda a JVM links costs a
    // short CLI call several milliseconds.
    private static List<StatusSnapshot.Service> services(List<Map<?, ?>> list) {
        if (list == null) {
            return null;
        }
        List<StatusSnapshot.Service> out = new ArrayList<>(list.size());
        for (Map<?, ?> m : list) {
            out.add(service(m));
        }
        return out;
    }

    private static List<StatusSnapshot.Check> checks(List<Map<?, ?>> list) {
        if (list == null) {
            return null;
        }
        List<StatusSnapshot.Check> out = new ArrayList<>(list.size());
        for (Map<?, ?> m : list) {
            out.add(check(m));
        }
        return out;
    }

    private static List<StatusSnapshot.Announced> announced(List<Map<?, ?>> list) {
        if (list == null) {
            return null;
        }
        List<StatusSnapshot.Announced> out = new ArrayList<>(list.size());
        for (Map<?, ?> m : list) {
            out.add(announced(m));
        }
        return out;
    }

    private static StatusSnapshot.Service service(Map<?, ?> m) {
        return new StatusSnapshot.Service(text(m, "name"), text(m, "state"), number(m, "since_millis").longValue(),
                text(m, "reason"), text(m, "policy"), texts(m, "prefixes"), checks(objects(m, "checks")));
    }

    private static StatusSnapshot.Check check(Map<?, ?> m) {
        return new StatusSnapshot.Check(text(m, "name"), text(m, "type"), text(m, "target"), bool(m, "up"),
                text(m, "last_result"), text(m, "reason"), number(m, "latency_ms").doubleValue(),
                number(m, "last_run_millis").longValue(), number(m, "consecutive_passes").intValue(),
                number(m, "consecutive_failures").intValue(), text(m, "interval"), text(m, "fast_interval"),
                text(m, "timeout"), number(m, "rise").intValue(), number(m, "fall").intValue());
    }

    private static StatusSnapshot.Announced announced(Map<?, ?> m) {
        Number med = (Number) typed(m, "med", Number.class);
        Number exportedTo = (Number) typed(m, "exported_to", Number.class);
        return new StatusSnapshot.Announced(text(m, "prefix"), text(m, "state"), texts(m, "services"),
                texts(m, "communities"), texts(m, "large_communities"), med == null ? null : med.longValue(),
                number(m, "prepend").intValue(), exportedTo == null ? null : exportedTo.intValue());
    }

    private static StatusSnapshot.Router router(Map<?, ?> m) {
        if (m == null) {
            return null;
        }
        return new StatusSnapshot.Router(text(m, "daemon"), text(m, "last_result"),
                number(m, "last_apply_millis").longValue(), number(m, "last_duration_ms").doubleValue(),
                text(m, "error"), number(m, "next_retry_millis").longValue(), number(m, "drift_repairs").longValue());
    }

    private static StatusSnapshot.Exports exports(Map<?, ?> m) {
        if (m == null) {
            return null;
        }
        Map<String, Integer> prefixes = new LinkedHashMap<>();
        Map<?, ?> counts = (Map<?, ?>) typed(m, "prefixes", Map.class);
        if (counts != null) {
            for (Map.Entry<?, ?> e : counts.entrySet()) {
                prefixes.put((String) e.getKey(), e.getValue() == null ? 0 : asNumber("prefixes", e.getValue()).intValue());
            }
        }
        return new StatusSnapshot.Exports(number(m, "queried_at_millis").longValue(), number(m, "duration_ms").doubleValue(),
                texts(m, "sessions"), counts == null ? null : prefixes, text(m, "error"));
    }

    private static String text(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString(); // Jackson coerces scalars to text
        }
        throw new IllegalArgumentException(key + ": expected text, found " + kind(v));
    }

    private static Number number(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v == null ? Long.valueOf(0) : asNumber(key, v);
    }

    private static Number asNumber(String key, Object v) {
        if (v instanceof Number n) {
            return n;
        }
        throw new IllegalArgumentException(key + ": expected a number, found " + kind(v));
    }

    private static boolean bool(Map<?, ?> m, String key) {
        Object v = typed(m, key, Boolean.class);
        return v != null && (Boolean) v;
    }

    private static List<String> texts(Map<?, ?> m, String key) {
        List<?> list = (List<?>) typed(m, key, List.class);
        if (list == null) {
            return null;
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object v : list) {
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException(key + ": expected a list of text, found " + kind(v));
            }
            out.add(s);
        }
        return out;
    }

    private static List<Map<?, ?>> objects(Map<?, ?> m, String key) {
        List<?> list = (List<?>) typed(m, key, List.class);
        if (list == null) {
            return null;
        }
        List<Map<?, ?>> out = new ArrayList<>(list.size());
        for (Object v : list) {
            if (!(v instanceof Map<?, ?> element)) {
                throw new IllegalArgumentException(key + ": expected objects, found " + kind(v));
            }
            out.add(element);
        }
        return out;
    }

    private static Map<?, ?> object(Map<?, ?> m, String key) {
        return (Map<?, ?>) typed(m, key, Map.class);
    }

    private static Object typed(Map<?, ?> m, String key, Class<?> type) {
        Object v = m.get(key);
        if (v != null && !type.isInstance(v)) {
            throw new IllegalArgumentException(key + ": expected " + type.getSimpleName().toLowerCase(java.util.Locale.ROOT)
                    + ", found " + kind(v));
        }
        return v;
    }

    private static String kind(Object v) {
        return v == null ? "null" : v instanceof String ? "text" : v instanceof Number ? "a number"
                : v instanceof Boolean ? "a boolean" : v instanceof List ? "a list" : "an object";
    }
}
