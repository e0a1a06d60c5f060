package io.rhid.agent.schedule;

import static io.rhid.agent.schedule.ProbeScheduler.SIBLING_SPREAD_NANOS;
import static io.rhid.agent.schedule.ProbeScheduler.SIBLING_STEP_NANOS;

import io.rhid.agent.config.WatchTargets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which checks probe each endpoint, and the runs that linking asks for: a sibling's alert and a
 * lost watch connection; called from the scheduler's callers, the runner threads and the watch
 * thread, so it keeps its links in concurrent maps and only schedules.
 *
 * <p>Checks that probe the same endpoint (the same server: transport, address and port, whatever
 * the check type) are linked: when one of them gets the first result that disagrees with its
 * confirmed state, the others that agreed run at once, so a server's death is confirmed for every
 * service behind it together rather than spread over an interval of their splayed schedules.
 * When the news is a pass (the siblings are down: at start-up, or the server is back), their runs
 * are spread over a few milliseconds ({@link ProbeScheduler#SIBLING_STEP_NANOS} apart, at most
 * {@link ProbeScheduler#SIBLING_SPREAD_NANOS} in all) instead of starting at one instant: fifty TLS
 * handshakes begun together would be an overload the checker itself creates and then reports as
 * the server's failure. When the news is a failure they run at once, since probes of a dead server
 * cost it nothing and withdrawals should not wait.
 *
 * <p>Checks whose timing has {@code watch} on also keep one idle connection per endpoint open
 * ({@link ConnectionWatch}, one thread for all): when the server closes or resets it, or refuses a
 * new one, the endpoint's watching checks that are confirmed up and not confirming run at once. A
 * close is a reason to look, not a failure: confirmation still takes {@code fall} failures
 * {@code fast_interval} apart, and a check that passes simply resumes its grid.
 */
final class EndpointLinks implements AutoCloseable {

    /** The scheduler's logger: operators filter probe scheduling by that one name. */
    private static final Logger log = LoggerFactory.getLogger(ProbeScheduler.class);

    private final Function<CheckKey, Job> jobs;
    private final Ticker ticker;
    private final Map<String, Set<CheckKey>> byEndpoint = new ConcurrentHashMap<>();
    private final ConnectionWatch watch;

    /** @param jobs the scheduler's current job of a check, or null */
    EndpointLinks(Function<CheckKey, Job> jobs, Ticker ticker, ReconnectBackoff backoff) {
        this.jobs = jobs;
        this.ticker = ticker;
        this.watch = new ConnectionWatch(this::connectionLost, backoff);
    }

    /** Opens (or keeps) the watch connection of a new job that watches its endpoint. */
    void watch(Job job) {
        if (job.watched()) {
            watch.add(job.endpoint(), WatchTargets.address(job.endpoint()).orElseThrow());
        }
    }

    void link(Job job) {
        byEndpoint.computeIfAbsent(job.endpoint(), e -> ConcurrentHashMap.newKeySet()).add(job.key());
    }

    void unlink(Job job) {
        Set<CheckKey> siblings = byEndpoint.get(job.endpoint());
        if (siblings != null) {
            siblings.remove(job.key());
        }
        if (job.watched()) {
            watch.remove(job.endpoint());
        }
    }

    /**
     * The watch connection to {@code endpoint} closed or was refused: its watching checks that are
     * confirmed up, and not already confirming a change, run now, spread like a sibling alert's
     * passing news ({@link ProbeScheduler#SIBLING_STEP_NANOS} apart): the close may be a live
     * server's idle timeout, which must not become a burst of every check at one instant. The first
     * run starts at once, and if it fails its alert runs the rest at once. Called on the watch
     * thread, so it only schedules.
     */
    private void connectionLost(String endpoint) {
        Set<CheckKey> keys = byEndpoint.get(endpoint);
        if (keys == null) {
            return;
        }
        long step = Math.min(SIBLING_STEP_NANOS, SIBLING_SPREAD_NANOS / Math.max(1, keys.size()));
        int started = 0;
        long now = ticker.nanos();
        for (CheckKey k : keys) {
            Job job = jobs.apply(k);
            if (job != null && job.watched() && job.runForWatch(now + started * step)) {
                started++;
            }
        }
        if (started > 0) {
            log.debug("{}: watch connection lost; running {} checks now", endpoint, started);
        }
    }

    /** Runs, now, the checks sharing {@code from}'s endpoint that still agree with its old state. */
    void alertSiblings(Job from, boolean confirmedUp) {
        Set<CheckKey> siblings = byEndpoint.get(from.endpoint());
        if (siblings == null || siblings.size() < 2) {
            return;
        }
        long step = confirmedUp ? 0 : Math.min(SIBLING_STEP_NANOS, SIBLING_SPREAD_NANOS / siblings.size());
        long now = ticker.nanos();
        int started = 0;
        for (CheckKey k : siblings) {
            Job sibling = jobs.apply(k);
            if (sibling != null && sibling != from && sibling.runForSibling(confirmedUp, now + started * step)) {
                started++;
            }
        }
    }

    @Override
    public void close() {
        watch.close();
    }
}
