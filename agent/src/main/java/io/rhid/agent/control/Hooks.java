package io.rhid.agent.control;

import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.ProcessCommandRunner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs services' {@code on_change} commands after their state changes are applied, one at a time
 * and in order, on a thread of their own so a slow hook never delays the control loop. Each run
 * is time-limited; failures are logged, never retried. The runner is injected so the ordering and
 * reporting logic can be tested without forking; the hook thread is the only caller of it.
 */
final class Hooks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Hooks.class);

    private final Duration timeout;
    private final Runner runner;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "rhid-hooks");
        t.setDaemon(true);
        return t;
    });

    /** How a hook's command is run: a child process in production, a fake in unit tests. */
    @FunctionalInterface
    interface Runner {
        CommandResult run(List<String> argv, Map<String, String> env, Duration timeout);
    }

    Hooks(Duration timeout) {
        this(timeout, processRunner());
    }

    Hooks(Duration timeout, Runner runner) {
        this.timeout = timeout;
        this.runner = runner;
    }

    /** Runs each hook as a child process without input, killed when it exceeds its timeout. */
    static Runner processRunner() {
        ProcessCommandRunner processes = new ProcessCommandRunner();
        return (argv, env, timeout) -> processes.run(argv, env, null, timeout);
    }

    /** Runs {@code argv} with RHID_SERVICE, RHID_FROM, RHID_TO and RHID_PREFIXES set. */
    void run(String service, List<String> argv, String from, String to, List<String> prefixes) {
        if (argv.isEmpty()) {
            return;
        }
        Map<String, String> env = Map.of("RHID_SERVICE", service, "RHID_FROM", from, "RHID_TO", to,
                "RHID_PREFIXES", String.join(" ", prefixes));
        try {
            executor.execute(() -> {
                CommandResult r = runner.run(argv, env, timeout);
                if (r.ok()) {
                    log.info("{}: on_change {} -> {} ran in {} ms", service, from, to, r.durationNanos() / 1_000_000);
                } else {
                    log.warn("{}: on_change {} -> {} failed{}: {}", service, from, to,
                            r.timedOut() ? " (killed after " + timeout.toMillis() + " ms)" : " (exit " + r.exitCode() + ")",
                            r.summary());
                }
            });
        } catch (RejectedExecutionException stopping) {
            log.warn("{}: on_change {} -> {} not run: rhid is stopping", service, from, to);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
