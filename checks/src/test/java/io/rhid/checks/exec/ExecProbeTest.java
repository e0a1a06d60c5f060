package io.rhid.checks.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ExecProbeTest {

    /** For commands that finish: generous, a fork may wait long for a saturated machine's CPU. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** For commands that never finish on their own: the timeout is the point. */
    private static final Duration HANG_TIMEOUT = Duration.ofMillis(300);

    @TempDir
    Path dir;

    /** Process groups of commands run here, emptied after each test even when it failed. */
    private final List<Long> started = new ArrayList<>();

    @AfterEach
    void kill_whatever_a_failed_test_left() {
        for (long pgid : started) {
            for (String p : scanGroup(pgid)) {
                ProcessHandle.of(Long.parseLong(p.substring(0, p.indexOf(' ')))).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void passes_when_the_command_exits_0() {
        try (ExecProbe probe = probe("/bin/true")) {
            assertThat(probe.run()).isEqualTo(ProbeResult.pass("exit 0"));
        }
    }

    @Test
    void fails_with_the_exit_status() {
        try (ExecProbe probe = probe("/bin/sh", "-c", "exit 2")) {
            assertThat(probe.run()).isEqualTo(ProbeResult.failure("exit 2"));
        }
    }

    @Test
    void gives_the_first_line_of_output_as_the_reason() {
        try (ExecProbe probe = probe("/bin/sh", "-c", "echo; echo boom >&2; echo more; exit 3")) {
            assertThat(probe.run()).isEqualTo(ProbeResult.failure("exit 3: boom"));
        }
    }

    @Test
    void cuts_long_output() {
        try (ExecProbe probe = probe("/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x; exit 1")) {
            ProbeResult result = probe.run();
            assertThat(result.reason()).startsWith("exit 1: xxx").endsWith("...").hasSize("exit 1: ".length() + 100);
        }
    }

    @Test
    void adds_the_environment() {
        ExecProbeSpec spec = new ExecProbeSpec(List.of("/bin/sh", "-c", "echo \"$GREETING\"; exit 4"), Map.of("GREETING", "hello"));
        try (ExecProbe probe = new ExecProbe(spec, new ProbeContext("test/exec", TIMEOUT))) {
            assertThat(probe.run()).isEqualTo(ProbeResult.failure("exit 4: hello"));
        }
    }

    @Test
    void gives_the_command_an_empty_stdin() {
        try (ExecProbe probe = probe("/bin/cat")) {
            assertThat(probe.run()).isEqualTo(ProbeResult.pass("exit 0"));
        }
    }

    @Test
    void reads_the_output_through_a_pipe_not_a_file() {
        try (ExecProbe probe = probe("/bin/sh", "-c", "readlink /proc/self/fd/1; exit 1")) {
            assertThat(probe.run().reason()).matches("exit 1: pipe:\\[\\d+\\]");
        }
    }

    @Test
    void reads_past_the_limit_so_a_chatty_command_finishes_and_passes() {
        // 1 MB is far more than a pipe holds: unread, the command would block until its timeout.
        try (ExecProbe probe = new ExecProbe(new ExecProbeSpec(List.of("/bin/sh", "-c", "head -c 1000000 /dev/zero; exit 0"),
                Map.of()), new ProbeContext("test/exec", Duration.ofSeconds(20)))) {
            assertThat(probe.run()).isEqualTo(ProbeResult.pass("exit 0"));
        }
    }

    @Test
    void bounds_endless_output_by_the_timeout_and_writes_it_nowhere() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (ExecProbe probe = hanging("/usr/bin/yes")) {
            assertThat(probe.run()).isEqualTo(ProbeResult.failure("timeout after 300ms"));
            started.add(probe.lastPid());
            assertThat(livingInGroup(probe.lastPid())).isEmpty();
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("rhid-exec-"));
        }
    }

    @Test
    void kills_what_a_passing_command_left_running_in_the_background() throws Exception {
        try (ExecProbe probe = probe("/bin/sh", "-c", "/bin/sleep 300 & exit 0")) {
            assertThat(probe.run()).isEqualTo(ProbeResult.pass("exit 0"));
            started.add(probe.lastPid());
            assertThat(livingInGroup(probe.lastPid())).as("processes left in the check's process group").isEmpty();
        }
    }

    @Test
    void kills_what_a_failing_command_left_running_in_the_background() throws Exception {
        try (ExecProbe probe = probe("/bin/sh", "-c", "(/bin/sleep 300 &); echo bad; exit 1")) {
            assertThat(probe.run()).isEqualTo(ProbeResult.failure("exit 1: bad"));
            started.add(probe.lastPid());
            assertThat(livingInGroup(probe.lastPid())).as("processes left in the check's process group").isEmpty();
        }
    }

    @Test
    void kills_the_command_on_timeout() {
        try (ExecProbe probe = hanging("/bin/sleep", "30")) {
            long start = System.nanoTime();
            ProbeResult result = probe.run();

            assertThat(result).isEqualTo(ProbeResult.failure("timeout after 300ms"));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("the timeout, the kill and the reaping").isLessThan(3000);
            assertThat(ProcessHandle.of(probe.lastPid())).isEmpty();
        }
    }

    @Test
    void kills_the_whole_process_group_on_timeout() throws Exception {
        try (ExecProbe probe = hanging("/bin/sh", "-c", "trap '' TERM; /bin/sleep 30 & /bin/sleep 31")) {
            long start = System.nanoTime();
            ProbeResult result = probe.run();

            assertThat(result).isEqualTo(ProbeResult.failure("timeout after 300ms"));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("the timeout, the kill and the reaping").isLessThan(3000);
            assertThat(livingInGroup(probe.lastPid())).isEmpty();
        }
    }

    @Test
    void kills_the_whole_process_group_when_its_thread_is_interrupted() throws Exception {
        // What happens when the agent stops with a run in flight: it interrupts the probe threads.
        try (ExecProbe probe = probe("/bin/sh", "-c", "trap '' TERM; /bin/sleep 30 & /bin/sleep 31")) {
            java.util.concurrent.atomic.AtomicReference<ProbeResult> result = new java.util.concurrent.atomic.AtomicReference<>();
            Thread runner = new Thread(() -> result.set(probe.run()));
            runner.start();
            for (int i = 0; i < 100 && (probe.lastPid() <= 0 || scanGroup(probe.lastPid()).size() < 3); i++) {
                Thread.sleep(10);
            }
            assertThat(scanGroup(probe.lastPid())).as("the command and both sleeps run").hasSize(3);
            runner.interrupt();
            runner.join(2000);

            assertThat(result.get()).isEqualTo(ProbeResult.failure("interrupted"));
            assertThat(livingInGroup(probe.lastPid())).isEmpty();
        }
    }

    @Test
    void kills_daemonized_grandchildren_through_the_process_group() throws Exception {
        // The subshell exits at once, so its sleep is no descendant of the command any more.
        try (ExecProbe probe = hanging("/bin/sh", "-c", "(/bin/sleep 30 &); /bin/sleep 31")) {
            assertThat(probe.run()).isEqualTo(ProbeResult.failure("timeout after 300ms"));
            assertThat(livingInGroup(probe.lastPid())).isEmpty();
        }
    }

    @Test
    void kills_the_child_on_timeout_without_setsid_too() {
        ExecProbeSpec spec = new ExecProbeSpec(List.of("/bin/sleep", "30"), Map.of());
        try (ExecProbe probe = new ExecProbe(spec, new ProbeContext("test/exec", HANG_TIMEOUT), false)) {
            assertThat(probe.run()).isEqualTo(ProbeResult.failure("timeout after 300ms"));
            assertThat(ProcessHandle.of(probe.lastPid())).isEmpty();
        }
    }

    @Test
    void the_reader_pool_hands_work_to_an_idle_thread_starts_at_most_its_bound_and_queues_the_rest() throws Exception {
        ThreadPoolExecutor pool = ExecProbe.readers(4, Duration.ofSeconds(30));
        try {
            LinkedTransferQueue<?> queue = (LinkedTransferQueue<?>) pool.getQueue();
            for (int i = 0; i < 20; i++) {
                pool.submit(() -> { }).get(10, TimeUnit.SECONDS);
                // Bounded: the thread that ran it goes back to waiting for work within a moment.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!queue.hasWaitingConsumer() && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            assertThat(pool.getLargestPoolSize()).as("one after another: one thread").isEqualTo(1);

            CountDownLatch release = new CountDownLatch(1);
            List<Future<?>> blocked = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                blocked.add(pool.submit(() -> {
                    release.await();
                    return null;
                }));
            }
            assertThat(pool.getLargestPoolSize()).isEqualTo(4);
            assertThat(queue).hasSize(8);
            release.countDown();
            for (Future<?> f : blocked) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertThat(pool.getLargestPoolSize()).isEqualTo(4);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void runs_more_commands_at_once_than_it_has_output_readers_and_gives_each_its_own_reason() throws Exception {
        int runs = 3 * ExecProbe.READER_THREADS;
        // Every command says it started through READY, then waits on GO, so all of them run at once
        // before the first is let go: each needs its reader then, and a pool without a bound would
        // start one thread per command. Both FIFOs are held open read-write here, so no open blocks.
        Path ready = fifo("ready");
        Path go = fifo("go");
        ExecutorService callers = Executors.newFixedThreadPool(runs);
        try (RandomAccessFile readyEnd = new RandomAccessFile(ready.toFile(), "rw");
                RandomAccessFile goEnd = new RandomAccessFile(go.toFile(), "rw")) {
            List<ExecProbe> probes = new ArrayList<>();
            List<Future<ProbeResult>> results = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                ExecProbe probe = new ExecProbe(new ExecProbeSpec(List.of("/bin/sh", "-c",
                        "echo reason-$1; echo $1 > \"$2\"; read x < \"$3\"; exit 3", "sh", Integer.toString(i),
                        ready.toString(), go.toString()), Map.of()), new ProbeContext("test/exec", Duration.ofSeconds(30)));
                probes.add(probe);
                results.add(callers.submit(probe::run));
            }
            Set<String> announced = CompletableFuture.supplyAsync(() -> {
                Set<String> seen = new HashSet<>();
                try {
                    for (int i = 0; i < runs; i++) {
                        seen.add(readyEnd.readLine());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return seen;
            }).get(60, TimeUnit.SECONDS);
            assertThat(announced).hasSize(runs);
            assertThat(ExecProbe.mostReaderThreads()).isLessThanOrEqualTo(ExecProbe.READER_THREADS);

            goEnd.write("\n".repeat(runs).getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < runs; i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(ProbeResult.failure("exit 3: reason-" + i));
                started.add(probes.get(i).lastPid());
            }
            assertThat(ExecProbe.mostReaderThreads()).isLessThanOrEqualTo(ExecProbe.READER_THREADS);
        } finally {
            callers.shutdownNow();
        }
    }

    private Path fifo(String name) throws IOException, InterruptedException {
        Path fifo = dir.resolve(name);
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS) && mkfifo.exitValue() == 0)
                .as("mkfifo " + fifo).isTrue();
        return fifo;
    }

    @Test
    void says_why_a_command_cannot_start() throws IOException {
        Path gone = Files.createFile(dir.resolve("gone"));
        Files.delete(gone);
        ExecProbeSpec spec = new ExecProbeSpec(List.of(gone.toString()), Map.of());
        try (ExecProbe probe = new ExecProbe(spec, new ProbeContext("test/exec", TIMEOUT), false)) {
            assertThat(probe.run()).isEqualTo(ProbeResult.failure("cannot run: No such file or directory"));
        }
    }

    private ExecProbe hanging(String... command) {
        return new ExecProbe(new ExecProbeSpec(List.of(command), Map.of()), new ProbeContext("test/exec", HANG_TIMEOUT));
    }

    private ExecProbe probe(String... command) {
        return new ExecProbe(new ExecProbeSpec(List.of(command), Map.of()), new ProbeContext("test/exec", TIMEOUT));
    }

    /**
     * Pids in process group {@code pgid} that are not zombies, read from /proc/PID/stat. Killed
     * processes may take a moment to disappear, so this waits up to a second for the group to empty.
     */
    private static List<String> livingInGroup(long pgid) throws InterruptedException {
        List<String> living = List.of();
        for (int i = 0; i < 100; i++) {
            living = scanGroup(pgid);
            if (living.isEmpty()) {
                break;
            }
            Thread.sleep(10);
        }
        return living;
    }

    private static List<String> scanGroup(long pgid) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    // After "(comm)": state ppid pgrp ...; comm may contain spaces, hence lastIndexOf.
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(fields[2]) == pgid && !fields[0].equals("Z")) {
                        found.add(p.getFileName() + " " + stat.strip());
                    }
                } catch (IOException | RuntimeException e) {
                    // the process exited while being read
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }
}
