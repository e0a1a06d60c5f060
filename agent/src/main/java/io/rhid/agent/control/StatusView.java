package io.rhid.agent.control;

import io.rhid.agent.config.CheckConfig;
import io.rhid.agent.config.Durations;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.agent.health.CheckRecord;
import io.rhid.agent.health.RiseFall;
import io.rhid.agent.health.Verdict;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.schedule.CheckKey;
import io.rhid.agent.status.StatusSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the control loop published at the end of a turn: an immutable status snapshot without the
 * parts that depend on when it is read. {@link #at} fills those in (countdowns in reasons, the
 * time it was generated, the routing daemon's latest exports, which another thread learns), so a
 * reader never sees a stale countdown and never touches the loop's state.
 *
 * <p>Built at the end of every turn, so with many checks it is built hundreds of times a second:
 * a service whose checks and verdict did not change this turn keeps the previous view's entry, and
 * the announced list is rebuilt only when the applied state changed.
 *
 * @param verdicts each service's verdict, in the order of {@code base.services()}
 * @param config   the config it was built from (compared by identity: a reload builds all anew)
 * @param applied  the applied state it was built from (compared by identity)
 */
record StatusView(StatusSnapshot base, List<Verdict> verdicts, RhidConfig config, DesiredState applied) {

    StatusView {
        verdicts = java.util.Collections.unmodifiableList(new ArrayList<>(verdicts));
    }

    /** The snapshot as a reader at {@code nowNanos} sees it. */
    StatusSnapshot at(long nowNanos, long nowMillis, StatusSnapshot.Exports exports) {
        List<StatusSnapshot.Service> services = new ArrayList<>(base.services().size());
        for (int i = 0; i < base.services().size(); i++) {
            StatusSnapshot.Service s = base.services().get(i);
            Verdict v = verdicts.get(i);
            services.add(v == null || v.untilNanos() == 0 ? s : new StatusSnapshot.Service(s.name(), s.state(),
                    s.sinceMillis(), v.reasonAt(nowNanos), s.policy(), s.prefixes(), s.checks()));
        }
        List<StatusSnapshot.Announced> announced = new ArrayList<>(base.announced().size());
        for (StatusSnapshot.Announced a : base.announced()) {
            // null for a prefix the last answer did not cover (added by a reload since)
            announced.add(new StatusSnapshot.Announced(a.prefix(), a.state(), a.services(), a.communities(),
                    a.largeCommunities(), a.med(), a.prepend(), exports.known() ? exports.prefixes().get(a.prefix()) : null));
        }
        return new StatusSnapshot(base.version(), nowMillis, base.config(), services, announced, base.router(), exports);
    }

    /** The view of the loop's state at the end of a turn, built from nothing. */
    static StatusView of(String version, RhidConfig config, Map<String, Verdict> verdicts, Map<CheckKey, CheckRecord> checks,
                         DesiredState applied, StatusSnapshot.Router router) {
        return of(version, config, verdicts, checks, applied, router, null, Set.of());
    }

    /**
     * The view of the loop's state at the end of a turn, reusing {@code previous}'s entries of
     * services not in {@code touched} whose verdict is the same object.
     *
     * @param touched services that had a check result, a command or an evaluation this turn
     */
    static StatusView of(String version, RhidConfig config, Map<String, Verdict> verdicts, Map<CheckKey, CheckRecord> checks,
                         DesiredState applied, StatusSnapshot.Router router, StatusView previous, Set<String> touched) {
        boolean reuse = previous != null && previous.config == config;
        List<StatusSnapshot.Service> out = new ArrayList<>();
        List<Verdict> shown = new ArrayList<>();
        int index = 0;
        for (ServiceConfig s : config.services().values()) {
            Verdict st = verdicts.get(s.name());
            int i = index++;
            if (reuse && !touched.contains(s.name()) && previous.verdicts.get(i) == st) {
                out.add(previous.base.services().get(i));
                shown.add(st);
                continue;
            }
            List<StatusSnapshot.Check> list = new ArrayList<>();
            for (CheckConfig cc : s.checks()) {
                CheckRecord u = checks.get(new CheckKey(s.name(), cc.name()));
                RiseFall h = u == null ? RiseFall.INITIAL : u.health();
                list.add(new StatusSnapshot.Check(cc.name(), cc.spec().type(), shown(config, cc), h.up(),
                        u == null ? "pending" : u.passed() ? "pass" : "fail",
                        u == null ? "" : u.reason(),
                        u == null ? 0 : Math.round(u.latencyNanos() / 1e4) / 100.0,
                        u == null ? 0 : u.finishedAtMillis(), h.consecutivePasses(), h.consecutiveFailures(),
                        Durations.format(cc.timing().interval()), Durations.format(cc.timing().fastInterval()),
                        Durations.format(cc.timing().timeout()), cc.timing().rise(), cc.timing().fall()));
            }
            out.add(new StatusSnapshot.Service(s.name(), st == null ? "down" : st.state().label(),
                    st == null ? 0 : st.sinceMillis(), st == null ? "" : st.reason(), s.policy().toString(),
                    s.prefixes().stream().map(Prefix::toString).toList(), list));
            shown.add(st);
        }
        if (previous != null && previous.applied == applied) {
            return new StatusView(new StatusSnapshot(version, 0, config.source().toString(), out, previous.base.announced(),
                    router), shown, config, applied);
        }
        List<StatusSnapshot.Announced> announced = new ArrayList<>();
        if (applied != null) {
            for (Announcement an : applied.announcements().values()) {
                announced.add(new StatusSnapshot.Announced(an.prefix().toString(), an.state().label(), an.services(),
                        an.attributes().communities().stream().map(Object::toString).toList(),
                        an.attributes().largeCommunities().stream().map(Object::toString).toList(),
                        an.attributes().med().isPresent() ? an.attributes().med().getAsLong() : null,
                        an.attributes().prepend()));
            }
        }
        return new StatusView(new StatusSnapshot(version, 0, config.source().toString(), out, announced, router), shown,
                config, applied);
    }

    /** Every prefix the config lists. */
    static Set<Prefix> prefixes(RhidConfig config) {
        Set<Prefix> out = new TreeSet<>();
        for (ServiceConfig s : config.services().values()) {
            out.addAll(s.prefixes());
        }
        return out;
    }

    /** What a check probes, as status and logs show it: exec arguments only with status.show_commands. */
    static String shown(RhidConfig config, CheckConfig c) {
        return config.status().showCommands() ? c.spec().fullTarget() : c.spec().target();
    }
}
