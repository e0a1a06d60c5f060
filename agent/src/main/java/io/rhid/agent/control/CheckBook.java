package io.rhid.agent.control;

import io.rhid.agent.config.CheckConfig;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.agent.health.CheckRecord;
import io.rhid.agent.health.RiseFall;
import io.rhid.agent.log.LogFields;
import io.rhid.agent.schedule.CheckKey;
import io.rhid.agent.schedule.CheckUpdate;
import io.rhid.agent.schedule.ProbeScheduler;
import io.rhid.agent.status.Metric;
import io.rhid.agent.status.MetricListener;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running checks as the control loop knows them: starts and stops them on the scheduler and
 * keeps each one's latest {@link CheckRecord}, the only copy of check health outside the scheduler
 * (which computes it). Records the per-result metrics and logs a check's transitions. Confined to
 * the control loop's thread.
 */
final class CheckBook {

    // The check log lines keep the logger name they always had: filters select on it.
    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);

    private final ProbeTypes types;
    private final ProbeScheduler scheduler;
    private final MetricListener metrics;
    private final Map<CheckKey, CheckRecord> records = new HashMap<>();

    CheckBook(ProbeTypes types, ProbeScheduler scheduler, MetricListener metrics) {
        this.types = types;
        this.scheduler = scheduler;
        this.metrics = metrics;
    }

    /** Starts a check from its initial (down) state; its health is in its updates from then on. */
    void start(ServiceConfig s, CheckConfig c) {
        CheckKey key = new CheckKey(s.name(), c.name());
        Probe probe = types.create(c.spec(), new ProbeContext(key.toString(), c.timing().timeout()));
        scheduler.start(key, c.timing(), probe, c.spec().endpoint());
    }

    /** Stops a check and forgets its results. */
    void stop(CheckKey key) {
        scheduler.stop(key);
        records.remove(key);
    }

    void runNow(CheckKey key) {
        scheduler.runNow(key);
    }

    void close() {
        scheduler.close();
    }

    /** The check's latest record; null before its first result. */
    CheckRecord get(CheckKey key) {
        return records.get(key);
    }

    /** Every record, keyed by check; a live view for building the status. */
    Map<CheckKey, CheckRecord> records() {
        return records;
    }

    /**
     * Whether a result changes nothing the loop decides on: it agrees with the check's confirmed
     * state, as its last result did, and the check is past its first {@code rise} results (until
     * then each result may make its service ready to be judged). A pass of a check that is up, or
     * a failure of one that is down: only the record's time, latency and text change, and the
     * metrics, so it need not wake the loop. A run an operator asked for is never routine: they
     * look at the status next.
     */
    static boolean routine(CheckUpdate u, int rise) {
        if (u.asked()) {
            return false;
        }
        RiseFall before = u.previous();
        boolean agrees = u.result().passed() == before.up();
        boolean agreedBefore = before.up() ? before.consecutivePasses() > 0 : before.consecutiveFailures() > 0;
        return agrees && agreedBefore && u.health().up() == before.up() && u.health().results() > rise;
    }

    /** The check's {@code rise} in {@code config}, or -1 if the config no longer has the check. */
    static int rise(RhidConfig config, CheckKey key) {
        ServiceConfig s = config.services().get(key.service());
        if (s != null) {
            for (CheckConfig c : s.checks()) {
                if (c.name().equals(key.check())) {
                    return c.timing().rise();
                }
            }
        }
        return -1;
    }

    /**
     * Records a result of a check the config still has.
     *
     * @return whether its service must be evaluated again (a transition, or a result that may
     *         open the startup gate)
     */
    boolean record(CheckUpdate u, RhidConfig config) {
        ServiceConfig s = config.services().get(u.key().service());
        CheckConfig c = s == null ? null
                : s.checks().stream().filter(x -> x.name().equals(u.key().check())).findFirst().orElse(null);
        if (c == null) {
            return false; // a check removed by a reload; its last run finished after it was stopped
        }
        records.put(u.key(), CheckRecord.next(records.get(u.key()), u.health(), u.result().passed(), u.result().reason(),
                u.latencyNanos(), u.finishedNanos(), u.finishedAtMillis()));
        metrics.record(Metric.CHECK_DURATION, u.latencyNanos() / 1e9, u.key().service(), u.key().check());
        if (!u.result().passed()) {
            metrics.increment(Metric.CHECK_FAILURES, u.key().service(), u.key().check(), Texts.reasonClass(u.result().reason()));
        }
        if (log.isDebugEnabled()) {
            // The monotonic time lets benchmarks relate this result to events seen by other processes.
            log.debug("{}: {} {} in {} ms: {} [mono {}]", u.key().service(), u.key().check(), u.result().passed() ? "pass" : "fail",
                    String.format(Locale.ROOT, "%.1f", u.latencyNanos() / 1e6), u.result().reason(), u.finishedNanos());
        }
        if (u.transitioned()) {
            String from = u.previous().up() ? "up" : "down";
            String to = u.health().up() ? "up" : "down";
            try (var f = LogFields.of("event", "check", "service", u.key().service(), "check", u.key().check(),
                    "from", from, "to", to)) {
                log.info("{}: check {} {} -> {}: {} ({})", u.key().service(), u.key().check(), from, to,
                        u.result().reason().isEmpty() ? StatusView.shown(config, c) : u.result().reason(),
                        u.health().up() ? u.health().consecutivePasses() + "/" + c.timing().rise() + " passes"
                                : u.health().consecutiveFailures() + "/" + c.timing().fall() + " failures");
            }
            return true;
        }
        return u.health().results() <= c.timing().rise();
    }
}
