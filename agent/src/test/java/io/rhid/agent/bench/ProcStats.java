package io.rhid.agent.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time, memory and threads, read from /proc. */
record ProcStats(long cpuTicks, long rssKb, int threads, long sampledNanos) {

    /** Clock ticks per second for /proc/PID/stat; 100 on Linux unless the kernel says otherwise. */
    static final long TICKS_PER_SECOND = 100;

    static ProcStats of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
            long rss = 0;
            int threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D+", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("\\D+", ""));
                }
            }
            return new ProcStats(ticks, rss, threads, System.nanoTime());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Percent of one core used between {@code earlier} and this sample. */
    double cpuPercentSince(ProcStats earlier) {
        double seconds = (sampledNanos - earlier.sampledNanos) / 1e9;
        return 100.0 * (cpuTicks - earlier.cpuTicks) / TICKS_PER_SECOND / seconds;
    }

    double rssMb() {
        return rssKb / 1024.0;
    }
}
