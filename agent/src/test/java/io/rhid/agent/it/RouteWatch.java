package io.rhid.agent.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Watches a namespace's kernel routing table through {@code ip monitor route}: every route event
 * is stamped with {@link System#nanoTime()} the moment its line arrives, so benchmarks measure
 * when the router's kernel learned of a change instead of polling for it.
 */
public final class RouteWatch implements AutoCloseable {

    /** One route event: {@code deleted} or added, the destination as ip prints it, and when. */
    public record Event(long nanos, boolean deleted, String destination) {
    }

    private final Process process;
    private final Thread reader;
    private final List<Event> events = new ArrayList<>();

    public RouteWatch(String netns) throws IOException, InterruptedException {
        process = new ProcessBuilder("ip", "-n", netns, "monitor", "route").redirectErrorStream(true).start();
        reader = new Thread(this::read, "route-watch-" + netns);
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(200); // let ip subscribe before anything happens
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                boolean deleted = line.startsWith("Deleted ");
                String rest = deleted ? line.substring("Deleted ".length()) : line;
                String[] words = rest.trim().split("\\s+");
                String dst = words.length > 0 && (words[0].equals("blackhole") || words[0].equals("unreachable")) && words.length > 1
                        ? words[1] : words[0];
                synchronized (events) {
                    events.add(new Event(now, deleted, dst));
                    events.notifyAll();
                }
            }
        } catch (IOException e) {
            // the watch was closed
        }
    }

    /** Forgets every event so far. */
    public void clear() {
        synchronized (events) {
            events.clear();
        }
    }

    /**
     * The time of the first event for {@code destination} (as ip prints it: {@code 198.51.100.53},
     * {@code 2001:db8::53}, {@code 203.0.113.0/24}) of the given kind, waiting up to {@code timeout}.
     */
    public long await(String destination, boolean deleted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            while (true) {
                for (Event e : events) {
                    if (e.deleted() == deleted && e.destination().equals(destination)) {
                        return e.nanos();
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + (deleted ? "deletion" : "addition") + " of " + destination
                            + " seen within " + timeout + "; events: " + events);
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
    }

    /** All events of one kind seen so far. */
    public List<Event> events(boolean deleted) {
        synchronized (events) {
            return events.stream().filter(e -> e.deleted() == deleted).toList();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
