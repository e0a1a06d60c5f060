package io.rhid.agent.testing;

import io.rhid.agent.schedule.Ticker;
import io.rhid.agent.schedule.Timer;
import java.util.PriorityQueue;

/**
 * A fake clock and timer: time moves only when a test advances it, and due tasks then run on the
 * test's thread in time order. Tasks may schedule further tasks.
 */
public final class ManualTimer implements Timer, Ticker {

    private record Task(long due, long seq, Runnable run) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now = 1_000_000_000L;
    private long seq;

    @Override
    public long nanos() {
        return now;
    }

    public long millis() {
        return now / 1_000_000;
    }

    @Override
    public synchronized Scheduled schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + Math.max(0, delayNanos), seq++, task);
        tasks.add(t);
        return () -> {
            synchronized (ManualTimer.this) {
                tasks.remove(t);
            }
        };
    }

    /** Moves time forward by {@code millis}, running every task that falls due on the way. */
    public void advanceMillis(long millis) {
        advanceTo(now + millis * 1_000_000);
    }

    public void advanceTo(long target) {
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due() > target) {
                    break;
                }
                tasks.poll();
                now = Math.max(now, next.due());
            }
            next.run().run();
        }
        now = Math.max(now, target);
    }

    /** Runs what is due now without moving time. */
    public void runDue() {
        advanceTo(now);
    }

    public synchronized int pending() {
        return tasks.size();
    }

    @Override
    public void close() {
        tasks.clear();
    }
}
