package io.rhid.agent.it;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names, marks and removes the lab's network namespaces. A name is {@code rhid} + this run's
 * random token + role (h host, r router, p permission probe) + a sequence number; the token is
 * the run's marker, and the run holds a lock on {@code LOCK_DIR/TOKEN.lock} until its JVM exits.
 * Stale cleanup deletes only namespaces whose token has a lock file that no live process holds:
 * a name without such a file (someone else's namespace, or a reused PID's) is never touched.
 * Static and synchronized where it holds state; safe from any thread.
 */
final class LabNamespaces {

    static final Pattern LAB_NETNS = Pattern.compile("rhid([0-9a-f]{8})([hrp])(\\d+)");
    private static final Path LOCK_DIR = Path.of(System.getProperty("java.io.tmpdir"), "rhid-netnslab");
    static final String RUN_TOKEN = String.format(Locale.ROOT, "%08x", new SecureRandom().nextInt());
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static FileChannel runLock; // guarded by LabNamespaces.class; held until the JVM exits

    private LabNamespaces() {
    }

    /** A fresh sequence number for this run's next lab (or permission probe). */
    static int nextSequence() {
        return SEQUENCE.incrementAndGet();
    }

    /** This run's namespace name for {@code role} ({@code h}, {@code r} or {@code p}) and {@code sequence}. */
    static String name(char role, int sequence) {
        return "rhid" + RUN_TOKEN + role + sequence;
    }

    /** Where lab runs keep the lock files that mark their namespaces as live. */
    static Path lockDir() {
        return LOCK_DIR;
    }

    /** Takes this run's lock file, which marks its namespaces as live until the JVM exits. */
    static synchronized void holdRunLock() throws IOException {
        if (runLock != null) {
            return;
        }
        Files.createDirectories(LOCK_DIR);
        Path file = LOCK_DIR.resolve(RUN_TOKEN + ".lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        ch.lock();
        runLock = ch;
        file.toFile().deleteOnExit();
    }

    /**
     * Deletes namespaces left by lab runs that died: those whose name carries another run's token
     * with a lock file in {@link #lockDir()} that no live process holds (this run takes the lock,
     * then deletes). A name without a lock file, or whose lock is held, is never touched.
     */
    static List<String> removeStale(LabCommands.Tools tools) {
        List<String> removed = new ArrayList<>();
        NetnsLab.CommandResult list = LabCommands.exec(List.of(tools.ip().toString(), "netns", "list"),
                LabCommands.COMMAND_TIMEOUT);
        Map<String, List<String>> byToken = new TreeMap<>();
        for (String line : list.output().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            Matcher m = LAB_NETNS.matcher(name);
            if (m.matches() && !m.group(1).equals(RUN_TOKEN)) {
                byToken.computeIfAbsent(m.group(1), t -> new ArrayList<>()).add(name);
            }
        }
        for (var e : byToken.entrySet()) {
            Path lockFile = LOCK_DIR.resolve(e.getKey() + ".lock");
            if (!Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
                continue; // not a lab run's namespace, or one this machinery cannot vouch for
            }
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                 FileLock lock = ch.tryLock()) {
                if (lock == null) {
                    continue; // its run is alive
                }
                for (String name : e.getValue()) {
                    System.err.println("NetnsLab: removing stale namespace " + name + " (its run's lock " + lockFile
                            + " is free)");
                    delete(tools, name);
                    removed.add(name);
                }
                Files.deleteIfExists(lockFile);
            } catch (IOException | OverlappingFileLockException ex) {
                System.err.println("NetnsLab: leaving " + e.getValue() + " alone: " + ex);
            }
        }
        return removed;
    }

    /** Kills whatever still runs in the namespace (by PID), then deletes it; ignores "not found". */
    static void delete(LabCommands.Tools tools, String ns) {
        try {
            NetnsLab.CommandResult pids = LabCommands.exec(List.of(tools.ip().toString(), "netns", "pids", ns),
                    LabCommands.COMMAND_TIMEOUT);
            if (pids.exitCode() == 0) {
                for (String token : pids.output().split("\\s+")) {
                    if (token.matches("\\d+")) {
                        ProcessHandle.of(Long.parseLong(token)).ifPresent(h -> {
                            h.destroyForcibly();
                            try {
                                h.onExit().get(LabCommands.STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } catch (ExecutionException | TimeoutException e) {
                                // Reported by the namespace deletion below if it matters.
                            }
                        });
                    }
                }
            }
            NetnsLab.CommandResult del = LabCommands.exec(List.of(tools.ip().toString(), "netns", "del", ns),
                    LabCommands.COMMAND_TIMEOUT);
            if (del.exitCode() != 0 && !del.output().contains("No such file")) {
                System.err.println("NetnsLab: ip netns del " + ns + " failed: " + del.output().strip());
            }
        } catch (RuntimeException e) {
            System.err.println("NetnsLab: could not delete namespace " + ns + ": " + e);
        }
    }
}
