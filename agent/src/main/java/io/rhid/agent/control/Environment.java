package io.rhid.agent.control;

import io.rhid.agent.schedule.SystemTimer;
import io.rhid.agent.schedule.Ticker;
import io.rhid.agent.schedule.Timer;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Time, timers, threads and randomness, injected so that the control loop and scheduler are tested
 * with fakes and without sleeping.
 *
 * @param ticker      monotonic time for all timing decisions
 * @param wallMillis  wall-clock time, only for what people read (logs, status)
 * @param timer       the scheduler's timer
 * @param probeRunner where probe runs execute; at most one run per check is in flight
 * @param random      splay of first runs
 */
public record Environment(Ticker ticker, LongSupplier wallMillis, Timer timer, Executor probeRunner,
                          RandomGenerator random) implements AutoCloseable {

    public Environment {
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(wallMillis, "wallMillis");
        Objects.requireNonNull(timer, "timer");
        Objects.requireNonNull(probeRunner, "probeRunner");
        Objects.requireNonNull(random, "random");
    }

    /**
     * Stops the timer and interrupts probe runs still in progress, waiting a little for them: an
     * interrupted exec probe kills its command's process group, so nothing it started outlives
     * rhid. Called after the control loop has withdrawn everything, so it never delays that.
     */
    @Override
    public void close() {
        timer.close();
        if (probeRunner instanceof ExecutorService pool) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The production environment: the system clocks, one timer thread, and a pool of daemon
     * threads for probe runs that grows with the number of runs in flight (bounded by the number
     * of checks, since a check never has two runs in flight) and shrinks when idle.
     */
    public static Environment system() {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "rhid-probe-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        return new Environment(Ticker.SYSTEM, System::currentTimeMillis, new SystemTimer("rhid-timer"), pool,
                new java.util.SplittableRandom());
    }
}
