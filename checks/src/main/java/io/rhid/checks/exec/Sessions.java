package io.rhid.checks.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Finds and kills the processes of one session through /proc, which also finds children that were
 * re-parented away from the command (a {@code sleep 300 &} of a shell that has exited); stateless.
 *
 * <p>A session's id is its leader's pid, and Linux does not hand that pid to a new process while
 * any member of the session is left, so killing "session == leader pid" never hits a stranger.
 */
final class Sessions {

    /** Rounds of scan-and-kill: each catches what forked while the previous one was killing. */
    private static final int ROUNDS = 50;

    private Sessions() {
    }

    /** Pids of the live (not zombie) processes in session {@code sid}. */
    static List<Long> members(long sid) {
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isPid(p.getFileName().toString()))) {
            for (Path p : procs) {
                stat(p).filter(f -> Long.parseLong(f[3]) == sid && !f[0].equals("Z"))
                        .ifPresent(f -> found.add(Long.parseLong(p.getFileName().toString())));
            }
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux): nothing can be found this way
        }
        return found;
    }

    /**
     * SIGKILLs every process of session {@code sid} until none is left or the rounds run out.
     *
     * @return how many processes were still alive after the last round (0 when the session is gone)
     */
    static int killAll(long sid) {
        for (int round = 0; round < ROUNDS; round++) {
            List<Long> members = members(sid);
            if (members.isEmpty()) {
                return 0;
            }
            for (long pid : members) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            // SIGKILL takes effect asynchronously: give the killed a moment to become zombies.
            LockSupport.parkNanos(2_000_000);
        }
        return members(sid).size();
    }

    /** After "(comm) ": state ppid pgrp session ...; comm may contain spaces and parentheses. */
    private static java.util.Optional<String[]> stat(Path proc) {
        try {
            String stat = new String(Files.readAllBytes(proc.resolve("stat")), StandardCharsets.ISO_8859_1);
            return java.util.Optional.of(stat.substring(stat.lastIndexOf(')') + 2).split(" ", 5));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty(); // exited while being read
        }
    }

    private static boolean isPid(String name) {
        return !name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
