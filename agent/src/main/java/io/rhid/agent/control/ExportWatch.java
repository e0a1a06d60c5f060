package io.rhid.agent.control;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.ExportQuery;
import io.rhid.agent.schedule.Ticker;
import io.rhid.agent.status.StatusSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the routing daemon what it exports, off the control loop's thread: the loop only requests
 * a refresh (never blocks; requests made while one runs are folded into one more run) and reads
 * the latest answer. Queries run one at a time on the given executor; the latest answer is
 * published through a volatile field, and its logging is confined to the query thread.
 */
final class ExportWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExportWatch.class);

    /** 0: idle; 1: a query runs; 2: a query runs and another was requested meanwhile. */
    private final AtomicInteger state = new AtomicInteger();
    private final ExportQuery query;
    private final Executor executor;
    private final Ticker ticker;
    private final LongSupplier wallMillis;
    private final Supplier<Set<Prefix>> configured;
    private final Supplier<Set<Prefix>> announced;
    private volatile StatusSnapshot.Exports latest = StatusSnapshot.Exports.UNKNOWN;
    // Confined to the query thread: what was last logged, so a steady state is logged once.
    private SortedSet<Prefix> loggedNowhere = new TreeSet<>();
    /** Announced prefixes exported nowhere at the previous answer. */
    private SortedSet<Prefix> nowhereBefore = new TreeSet<>();
    private String loggedError;

    /**
     * @param configured every prefix the config lists (each gets a count, 0 if not exported)
     * @param announced  the prefixes rhid has announced, to log those exported nowhere
     */
    ExportWatch(ExportQuery query, Executor executor, Ticker ticker, LongSupplier wallMillis,
                Supplier<Set<Prefix>> configured, Supplier<Set<Prefix>> announced) {
        this.query = query;
        this.executor = executor;
        this.ticker = ticker;
        this.wallMillis = wallMillis;
        this.configured = configured;
        this.announced = announced;
    }

    /** One daemon thread for the queries of a running rhid. */
    static ExecutorService thread() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rhid-exports");
            t.setDaemon(true);
            return t;
        });
    }

    /** Asks again soon; returns at once. */
    void refresh() {
        if (query == ExportQuery.NONE) {
            return;
        }
        if (state.getAndUpdate(s -> s == 0 ? 1 : 2) == 0) {
            try {
                executor.execute(this::work);
            } catch (RejectedExecutionException stopping) {
                state.set(0);
            }
        }
    }

    /** The latest answer; {@link StatusSnapshot.Exports#UNKNOWN} before the first. */
    StatusSnapshot.Exports latest() {
        return latest;
    }

    private void work() {
        do {
            state.set(1);
            latest = ask();
        } while (!state.compareAndSet(1, 0));
    }

    private StatusSnapshot.Exports ask() {
        long started = ticker.nanos();
        try {
            ExportQuery.Exports e = query.query();
            double ms = (ticker.nanos() - started) / 1e6;
            if (e == null) {
                return StatusSnapshot.Exports.UNKNOWN;
            }
            Map<String, Integer> counts = new TreeMap<>();
            SortedSet<Prefix> nowhere = new TreeSet<>();
            Set<Prefix> on = announced.get();
            for (Prefix p : configured.get()) {
                counts.put(p.toString(), e.count(p));
                if (e.count(p) == 0 && on.contains(p)) {
                    nowhere.add(p);
                }
            }
            if (loggedError != null) {
                log.info("exports: the routing daemon answers again");
                loggedError = null;
            }
            // Logged once two answers in a row agree: right after an announcement the daemon may
            // not have sent its UPDATE yet (bgpd holds it ~50 ms, and ~1 s after a session starts).
            SortedSet<Prefix> confirmed = new TreeSet<>(nowhere);
            confirmed.retainAll(nowhereBefore);
            nowhereBefore = nowhere;
            if (!confirmed.equals(loggedNowhere)) {
                if (confirmed.isEmpty()) {
                    log.info("exports: every announced prefix is exported to at least one established BGP session");
                } else {
                    log.warn("exports: announced, exported to no established session (established: {}): {}",
                            e.sessions().isEmpty() ? "none" : String.join(", ", e.sessions()), abbreviate(confirmed));
                }
                loggedNowhere = confirmed;
            }
            return new StatusSnapshot.Exports(wallMillis.getAsLong(), ms, e.sessions(), counts, null);
        } catch (ApplyException | RuntimeException ex) {
            double ms = (ticker.nanos() - started) / 1e6;
            String why = ex instanceof ApplyException ? ex.getMessage() : ex.toString();
            if (!why.equals(loggedError)) {
                log.warn("exports: cannot ask the routing daemon what it exports: {}", why);
                loggedError = why;
            }
            return new StatusSnapshot.Exports(wallMillis.getAsLong(), ms, List.of(), Map.of(), why);
        }
    }

    private static String abbreviate(SortedSet<Prefix> prefixes) {
        List<String> all = prefixes.stream().map(Prefix::toString).toList();
        return all.size() <= 5 ? String.join(" ", all) : String.join(" ", all.subList(0, 5)) + " and " + (all.size() - 5) + " more";
    }

    @Override
    public void close() {
        if (executor instanceof ExecutorService pool) {
            pool.shutdownNow();
        }
    }
}
