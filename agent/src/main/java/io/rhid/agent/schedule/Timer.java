package io.rhid.agent.schedule;

/** Runs tasks after a delay; injected so that schedules are tested with a manual timer. */
public interface Timer extends AutoCloseable {

    /** A scheduled task that can be cancelled before it runs. */
    interface Scheduled {
        void cancel();
    }

    /** Runs {@code task} once, {@code delayNanos} from now, on the timer's thread. */
    Scheduled schedule(Runnable task, long delayNanos);

    @Override
    void close();
}
