package io.rhid.agent.importer;

import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The input could not be read or is not a valid config of the tool it claims to be; nothing was printed. */
public final class ImportException extends Exception {

    private final List<String> errors;

    ImportException(List<String> errors) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    private static final Pattern POSITION = Pattern.compile("(.*?):(\\d+):(\\d+): .*");

    /** Problems sorted by file, line and column, the way rhid reports config errors. */
    static List<String> sorted(List<String> errors) {
        return errors.stream().sorted(Comparator
                .comparing((String e) -> position(e, 1))
                .thenComparingInt(e -> Integer.parseInt(position(e, 2)))
                .thenComparingInt(e -> Integer.parseInt(position(e, 3)))).toList();
    }

    private static String position(String error, int group) {
        Matcher m = POSITION.matcher(error);
        return m.matches() ? m.group(group) : group == 1 ? error : "0";
    }

    /** One line per problem, each starting with where it is ({@code FILE:LINE:COL:} or the argument). */
    public List<String> errors() {
        return errors;
    }
}
