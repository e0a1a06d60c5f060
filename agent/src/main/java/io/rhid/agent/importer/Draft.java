package io.rhid.agent.importer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A converted config before it is printed: header comments, top-level sections and services,
 * each value with the comments that explain where it came from. Built by one importer on one
 * thread, then printed by {@link YamlWriter}.
 */
final class Draft {

    /** A value printed with comment lines above its key (or list item). */
    record Commented(List<String> comments, Object value) {
        Commented {
            comments = List.copyOf(comments);
            Objects.requireNonNull(value);
        }
    }

    /** A mapping printed inline, as {@code { key: value, ... }}. */
    record Flow(Map<String, Object> entries) {
        Flow {
            entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }
    }

    /** One check: its fields, printed as a flow mapping, and the comments above it. */
    static final class Check {
        final List<String> comments = new ArrayList<>();
        final Map<String, Object> fields = new LinkedHashMap<>();

        Check(String type) {
            fields.put("type", type);
        }

        Check put(String key, Object value) {
            fields.put(key, value);
            return this;
        }

        String type() {
            return (String) fields.get("type");
        }
    }

    /** One service; {@code enabled == false} prints it commented out, as a reference for the operator. */
    static final class Service {
        final String name;
        final List<String> comments = new ArrayList<>();
        final Map<String, Object> fields = new LinkedHashMap<>();
        final List<Check> checks = new ArrayList<>();
        boolean enabled = true;

        Service(String name) {
            this.name = name;
        }
    }

    final List<String> header = new ArrayList<>();
    /** Top-level keys other than services (router, addresses, allowed_prefixes), in print order. */
    final Map<String, Object> top = new LinkedHashMap<>();
    final List<Service> services = new ArrayList<>();
}
