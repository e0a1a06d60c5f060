package io.rhid.agent.control;

import io.rhid.agent.config.CheckConfig;
import io.rhid.agent.config.ConfigException;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.agent.log.LogFields;
import io.rhid.agent.schedule.CheckKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a config reload changes, computed from the old and the new config alone: which checks stop
 * (removed, or their spec or timing changed), which start, which keep running with their health,
 * and which services are added, changed or removed. Router, address, status, control and state
 * dir settings need a restart; they are listed, not applied. Pure, apart from logging a refused
 * reload.
 *
 * @param start checks to start, with whether their service existed before (then it is held by
 *              the reload hold while they rise)
 */
record ReloadDiff(RhidConfig next, List<String> needRestart, Set<CheckKey> stop, List<Start> start, int kept,
                  List<String> added, List<String> changed, List<String> removed) {

    // The reload log lines keep the logger name they always had: filters select on it.
    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);

    /** A check to start. */
    record Start(ServiceConfig service, CheckConfig check, boolean hold) {
    }

    static ReloadDiff of(RhidConfig old, RhidConfig next) {
        List<String> needRestart = new ArrayList<>();
        if (!next.router().equals(old.router())) {
            needRestart.add("router");
        }
        if (!next.addresses().equals(old.addresses())) {
            needRestart.add("addresses");
        }
        if (!next.status().equals(old.status())) {
            needRestart.add("status");
        }
        if (!next.control().equals(old.control())) {
            needRestart.add("control");
        }
        if (!next.stateDir().equals(old.stateDir())) {
            needRestart.add("state_dir");
        }
        Map<CheckKey, CheckConfig> before = checks(old);
        Map<CheckKey, CheckConfig> after = checks(next);
        Set<CheckKey> stop = new TreeSet<CheckKey>();
        before.forEach((key, was) -> {
            CheckConfig now = after.get(key);
            if (now == null || !now.spec().equals(was.spec()) || !now.timing().equals(was.timing())) {
                stop.add(key);
            }
        });
        List<Start> start = new ArrayList<>();
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        int kept = 0;
        for (ServiceConfig s : next.services().values()) {
            boolean isNew = !old.services().containsKey(s.name());
            if (isNew) {
                added.add(s.name());
            } else if (!s.equals(old.services().get(s.name()))) {
                changed.add(s.name());
            }
            for (CheckConfig c : s.checks()) {
                CheckKey key = new CheckKey(s.name(), c.name());
                if (before.containsKey(key) && !stop.contains(key)) {
                    kept++;
                } else {
                    start.add(new Start(s, c, !isNew));
                }
            }
        }
        List<String> removed = old.services().keySet().stream().filter(n -> !next.services().containsKey(n)).toList();
        return new ReloadDiff(next, List.copyOf(needRestart), Set.copyOf(stop), List.copyOf(start), kept, List.copyOf(added),
                List.copyOf(changed), removed);
    }

    /** The log line and reply: {@code reloaded FILE: 2 services, added b; 1 check kept its state, 1 started}. */
    String summary() {
        return "reloaded " + next.source() + ": " + Texts.counted(next.services().size(), "service")
                + (added.isEmpty() ? "" : ", added " + String.join(" ", added))
                + (removed.isEmpty() ? "" : ", removed " + String.join(" ", removed))
                + (changed.isEmpty() ? "" : ", changed " + String.join(" ", changed))
                + "; " + Texts.counted(kept, "check") + (kept == 1 ? " kept its" : " kept their") + " state, " + start.size()
                + " started";
    }

    /** Logs a config a reload could not use, and says so in the reply: nothing changed. */
    static Operations.Reply refused(ConfigException e, RhidConfig running) {
        try (var f = LogFields.of("event", "reload", "result", "error")) {
            for (var error : e.errors()) {
                log.error("reload: {}", error);
            }
            log.error("reload: {} in {}; nothing changed, still running on the previous config",
                    Texts.counted(e.errors().size(), "error"), running.source());
        }
        return Operations.Reply.error("reload refused, nothing changed: " + Texts.counted(e.errors().size(), "error") + ":\n"
                + e.getMessage());
    }

    private static Map<CheckKey, CheckConfig> checks(RhidConfig c) {
        Map<CheckKey, CheckConfig> out = new HashMap<>();
        for (ServiceConfig s : c.services().values()) {
            for (CheckConfig ch : s.checks()) {
                out.put(new CheckKey(s.name(), ch.name()), ch);
            }
        }
        return out;
    }
}
