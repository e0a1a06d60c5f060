package io.rhid.agent.importer;

import java.util.List;

/**
 * The result of an import: the rhid YAML and the warnings about what it could not carry over
 * (each also printed as a comment in the YAML).
 */
public record Imported(String yaml, List<String> warnings) {

    public Imported {
        warnings = List.copyOf(warnings);
    }
}
