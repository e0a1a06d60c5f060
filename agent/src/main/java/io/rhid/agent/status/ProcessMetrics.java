package io.rhid.agent.status;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The process and JVM basics under the names Prometheus client libraries use ({@code process_*},
 * {@code jvm_*}), read from /proc/self and the JVM's management beans at scrape time. Values that
 * cannot be read (not Linux) are left out rather than reported as 0.
 *
 * @param cpuSeconds     user plus system CPU time
 * @param residentBytes  resident set size
 * @param virtualBytes   virtual memory size
 * @param openFds        open file descriptors
 * @param maxFds         the soft limit on open file descriptors
 * @param startSeconds   when the JVM started, Unix seconds
 * @param threads        live JVM threads
 * @param heapBytes      heap in use
 * @param nonHeapBytes   non-heap memory in use (metaspace, code cache)
 */
record ProcessMetrics(double cpuSeconds, double residentBytes, double virtualBytes, double openFds, double maxFds,
                      double startSeconds, double threads, double heapBytes, double nonHeapBytes) {

    private static final Path SELF = Path.of("/proc/self");

    /** Reads the current values; NaN for what cannot be read. */
    static ProcessMetrics read() {
        double cpu = Double.NaN;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            cpu = nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        return new ProcessMetrics(cpu, statusKb("VmRSS:") * 1024, statusKb("VmSize:") * 1024, countOpenFds(), readMaxFds(),
                ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0,
                ManagementFactory.getThreadMXBean().getThreadCount(),
                memory.getHeapMemoryUsage().getUsed(), memory.getNonHeapMemoryUsage().getUsed());
    }

    /** The families in name order; they sort before rhid's own. */
    String render() {
        StringBuilder out = new StringBuilder(1024);
        family(out, "jvm_memory_bytes_used", "gauge", "JVM memory in use, by area.");
        labelled(out, "jvm_memory_bytes_used", "area", "heap", heapBytes);
        labelled(out, "jvm_memory_bytes_used", "area", "nonheap", nonHeapBytes);
        one(out, "jvm_threads_current", "gauge", "Live JVM threads.", threads);
        one(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.", cpuSeconds);
        one(out, "process_max_fds", "gauge", "The soft limit on open file descriptors.", maxFds);
        one(out, "process_open_fds", "gauge", "Open file descriptors.", openFds);
        one(out, "process_resident_memory_bytes", "gauge", "Resident memory size, in bytes.", residentBytes);
        one(out, "process_start_time_seconds", "gauge", "When the process started, in Unix seconds.", startSeconds);
        one(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size, in bytes.", virtualBytes);
        return out.toString();
    }

    private static void family(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void one(StringBuilder out, String name, String type, String help, double value) {
        family(out, name, type, help);
        if (!Double.isNaN(value)) {
            out.append(name).append(' ').append(PrometheusText.formatValue(value)).append('\n');
        }
    }

    private static void labelled(StringBuilder out, String name, String label, String value, double v) {
        out.append(name).append('{').append(label).append("=\"").append(value).append("\"} ")
                .append(PrometheusText.formatValue(v)).append('\n');
    }

    /** A "Key:   123 kB" line of /proc/self/status, in kB; NaN when absent. */
    private static double statusKb(String key) {
        try {
            for (String line : Files.readAllLines(SELF.resolve("status"))) {
                if (line.startsWith(key)) {
                    String[] words = line.substring(key.length()).trim().split("\\s+");
                    return Double.parseDouble(words[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc is not mounted
        }
        return Double.NaN;
    }

    private static double countOpenFds() {
        int n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(SELF.resolve("fd"))) {
            for (Path ignored : fds) {
                n++;
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Math.max(0, n - 1); // less the descriptor of the listing itself
    }

    /** "Max open files            1024                 524288               files" */
    private static double readMaxFds() {
        try {
            for (String line : Files.readAllLines(SELF.resolve("limits"))) {
                if (line.startsWith("Max open files")) {
                    List<String> words = List.of(line.substring("Max open files".length()).trim().split("\\s+"));
                    String soft = words.get(0).toLowerCase(Locale.ROOT);
                    return soft.equals("unlimited") ? Double.POSITIVE_INFINITY : Double.parseDouble(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return Double.NaN;
    }
}
