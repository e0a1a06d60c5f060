package io.rhid.agent.control;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.plan.DesiredState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Texts the control loop logs and replies with, and metric label classes. Pure. */
final class Texts {

    private Texts() {
    }

    /** {@code 1 error}, {@code 2 errors}. */
    static String counted(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** What an apply changed: {@code 2 announced, announce P, withdraw Q}. */
    static String change(DesiredState before, DesiredState after) {
        Set<Prefix> was = before == null ? Set.of() : before.announcements().keySet();
        Set<Prefix> now = after.announcements().keySet();
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (Prefix p : now) {
            if (!was.contains(p)) {
                added.add(p.toString());
            }
        }
        for (Prefix p : was) {
            if (!now.contains(p)) {
                removed.add(p.toString());
            }
        }
        return now.size() + " announced" + (added.isEmpty() ? "" : ", announce " + abbreviate(added))
                + (removed.isEmpty() ? "" : ", withdraw " + abbreviate(removed));
    }

    private static String abbreviate(List<String> items) {
        return items.size() <= 4 ? String.join(" ", items)
                : String.join(" ", items.subList(0, 4)) + " and " + (items.size() - 4) + " more";
    }

    /**
     * A bounded label for failure reasons: the leading lower-case words, up to the first number,
     * colon or other detail ({@code timeout after 500ms} -> {@code timeout_after},
     * {@code exit 2: boom} -> {@code exit}, {@code tls: ...} -> {@code tls}); an rcode is kept,
     * since each one means something else ({@code rcode REFUSED} -> {@code rcode_refused}).
     */
    static String reasonClass(String reason) {
        StringBuilder out = new StringBuilder();
        String previous = "";
        for (String word : reason.split(" ")) {
            boolean last = word.endsWith(":");
            if (last) {
                word = word.substring(0, word.length() - 1);
            }
            // dnsjava names rcodes in capitals and unassigned ones RESERVEDn: a bounded set.
            boolean rcode = previous.equals("rcode") && !word.isEmpty()
                    && word.chars().allMatch(ch -> ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9');
            if (word.isEmpty() || !rcode && !word.chars().allMatch(ch -> ch >= 'a' && ch <= 'z')) {
                break;
            }
            if (out.length() > 0) {
                out.append('_');
            }
            out.append(word.toLowerCase(Locale.ROOT));
            previous = word;
            if (last || rcode || out.length() > 24) {
                break;
            }
        }
        return out.length() == 0 ? "other" : out.toString();
    }
}
