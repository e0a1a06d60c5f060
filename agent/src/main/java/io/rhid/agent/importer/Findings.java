package io.rhid.agent.importer;

import java.util.ArrayList;
import java.util.List;

/**
 * What an import could not carry over. Each warning is printed as a comment where it applies (the
 * importer does that) and listed here for stderr; any warning makes the import exit 1. Used by one
 * import on one thread.
 */
final class Findings {

    private final List<String> warnings = new ArrayList<>();

    /** Records a warning about {@code where} and returns the comment text to print beside it. */
    String warn(String where, String message) {
        warnings.add(where + ": " + message);
        return "WARNING: " + message;
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }
}
