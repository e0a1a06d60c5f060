package io.rhid.agent.cli;

import io.rhid.agent.config.Durations;
import io.rhid.agent.status.StatusSnapshot;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code rhid status} as a table: one row per service, the reasons of services that are not up,
 * and the routing daemon's last apply. Pure; times are relative to when the daemon took the
 * snapshot, so the output depends on the snapshot alone.
 */
final class StatusTable {

    /** A row lists at most this many announced prefixes, then how many more. */
    static final int MAX_PREFIXES = 4;

    private StatusTable() {
    }

    static String render(StatusSnapshot s) {
        long now = s.generatedAtMillis();
        // Plain loops rather than streams: this runs once per short CLI call, where linking each
        // lambda costs more than the loop.
        Map<String, StatusSnapshot.Announced> announced = new HashMap<>();
        for (StatusSnapshot.Announced a : s.announced()) {
            announced.put(a.prefix(), a);
        }
        boolean known = s.exports() != null && s.exports().known();

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SERVICE", "STATE", "SINCE", "CHECKS", known ? "ANNOUNCED (EXPORTED TO)" : "ANNOUNCED"});
        for (StatusSnapshot.Service svc : s.services()) {
            int up = 0;
            for (StatusSnapshot.Check check : svc.checks()) {
                up += check.up() ? 1 : 0;
            }
            List<String> mine = new ArrayList<>();
            for (String p : svc.prefixes()) {
                if (announced.containsKey(p)) {
                    mine.add(exported(announced.get(p)));
                }
            }
            rows.add(new String[] {svc.name(), svc.state(), ago(svc.sinceMillis(), now),
                    up + "/" + svc.checks().size(), prefixes(mine)});
        }
        StringBuilder out = new StringBuilder();
        table(out, rows);

        boolean first = true;
        for (StatusSnapshot.Service svc : s.services()) {
            if (!svc.state().equals("up") && svc.reason() != null && !svc.reason().isEmpty()) {
                out.append(first ? "\n" : "").append(svc.name()).append(": ").append(svc.reason()).append('\n');
                first = false;
            }
        }
        first = true;
        for (StatusSnapshot.Announced a : s.announced()) {
            if (a.exportedTo() != null && a.exportedTo() == 0) {
                out.append(first ? "\n" : "").append(a.prefix()).append(": announced, exported to no established session\n");
                first = false;
            }
        }
        out.append('\n').append(router(s.router(), s.announced().size(), now)).append('\n');
        if (s.exports() != null && s.exports().queriedAtMillis() > 0) {
            out.append(exports(s.exports(), now)).append('\n');
        }
        return out.toString();
    }

    /** {@code 198.51.100.53/32 (2)}: the prefix and how many established sessions it is exported to, if known. */
    private static String exported(StatusSnapshot.Announced a) {
        return a.exportedTo() == null ? a.prefix() : a.prefix() + " (" + a.exportedTo() + ")";
    }

    /** What the routing daemon last said it exports, or why it could not be asked. */
    static String exports(StatusSnapshot.Exports e, long now) {
        if (e.queriedAtMillis() <= 0) {
            return "exports: not asked yet";
        }
        if (e.error() != null) {
            return "exports: unknown, asking the daemon failed " + ago(e.queriedAtMillis(), now) + ": " + e.error();
        }
        int n = e.sessions().size();
        return "exports: " + n + (n == 1 ? " established BGP session" : " established BGP sessions")
                + (n == 0 ? "" : " (" + String.join(", ", e.sessions().size() <= MAX_PREFIXES ? e.sessions()
                : e.sessions().subList(0, MAX_PREFIXES)) + (n > MAX_PREFIXES ? " and " + (n - MAX_PREFIXES) + " more" : "") + ")")
                + ", asked " + ago(e.queriedAtMillis(), now);
    }

    private static String prefixes(List<String> prefixes) {
        if (prefixes.isEmpty()) {
            return "-";
        }
        if (prefixes.size() <= MAX_PREFIXES) {
            return String.join(", ", prefixes);
        }
        return String.join(", ", prefixes.subList(0, MAX_PREFIXES - 1)) + " and "
                + (prefixes.size() - MAX_PREFIXES + 1) + " more";
    }

    static String router(StatusSnapshot.Router r, int announced, long now) {
        if (r == null) {
            return "router: unknown";
        }
        StringBuilder out = new StringBuilder("router: ").append(r.daemon()).append(", ");
        switch (r.lastResult()) {
            case "pending" -> out.append("no apply yet");
            case "ok" -> out.append("last apply ok ").append(ago(r.lastApplyMillis(), now))
                    .append(" in ").append(ms(r.lastDurationMs()));
            default -> {
                out.append("last apply FAILED ").append(ago(r.lastApplyMillis(), now));
                if (r.lastDurationMs() > 0) {
                    out.append(" in ").append(ms(r.lastDurationMs()));
                }
                if (r.error() != null && !r.error().isEmpty()) {
                    out.append(": ").append(r.error());
                }
                if (r.nextRetryMillis() > 0) {
                    out.append(r.error() != null && !r.error().isEmpty() ? "; " : ", ").append("retry ")
                            .append(in(r.nextRetryMillis(), now));
                }
            }
        }
        out.append(", ").append(announced).append(announced == 1 ? " prefix" : " prefixes").append(" announced");
        if (r.driftRepairs() > 0) {
            out.append(", ").append(r.driftRepairs()).append(r.driftRepairs() == 1 ? " drift repair" : " drift repairs");
        }
        return out.toString();
    }

    /** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
    private static void table(StringBuilder out, List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(width[i] - row[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /** {@code 850ms ago}, {@code 42s ago}, {@code 5m12s ago}, {@code 3h7m ago}, {@code 2d4h ago}; {@code -} for never. */
    static String ago(long thenMillis, long nowMillis) {
        if (thenMillis <= 0) {
            return "-";
        }
        return span(Math.max(0, nowMillis - thenMillis)) + " ago";
    }

    static String in(long thenMillis, long nowMillis) {
        long d = thenMillis - nowMillis;
        return d <= 0 ? "due now" : "in " + span(d);
    }

    static String span(long millis) {
        return Durations.human(Duration.ofMillis(millis));
    }

    /**
     * {@code 12.3ms}: as {@code String.format(Locale.ROOT, "%.1fms", ms)} prints it (half up, on
     * the shortest decimal form), without the Formatter and the locale data it loads.
     */
    static String ms(double ms) {
        if (Double.isNaN(ms) || Double.isInfinite(ms)) {
            return String.format(Locale.ROOT, "%.1fms", ms);
        }
        String text = new BigDecimal(Double.toString(ms)).setScale(1, RoundingMode.HALF_UP).toPlainString();
        return (ms < 0 || (ms == 0 && 1 / ms < 0)) && !text.startsWith("-") ? "-" + text + "ms" : text + "ms";
    }
}
