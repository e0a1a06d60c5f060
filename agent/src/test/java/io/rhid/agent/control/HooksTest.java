package io.rhid.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.router.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HooksTest {

    /** Generous: the hook thread only has to be scheduled once, even on a saturated machine. */
    private static final long WAIT_SECONDS = 30;
    private static final Duration TIMEOUT = Duration.ofSeconds(7);

    record Call(List<String> argv, Map<String, String> env, Duration timeout, String thread) {
    }

    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

    private Hooks.Runner recording(int exitCode, boolean timedOut) {
        return (argv, env, timeout) -> {
            calls.add(new Call(argv, env, timeout, Thread.currentThread().getName()));
            return new CommandResult(argv, exitCode, "out", 1_000_000, timedOut);
        };
    }

    private Call next() throws InterruptedException {
        Call c = calls.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(c).as("a hook ran within %d s", WAIT_SECONDS).isNotNull();
        return c;
    }

    @Test
    void passes_the_transition_in_the_environment_with_its_timeout_on_the_hooks_thread() throws Exception {
        try (Hooks hooks = new Hooks(TIMEOUT, recording(0, false))) {
            hooks.run("dns", List.of("/usr/local/bin/notify", "--x"), "down", "up",
                    List.of("198.51.100.53/32", "2001:db8::53/128"));
            Call c = next();
            assertThat(c.argv()).containsExactly("/usr/local/bin/notify", "--x");
            assertThat(c.env()).containsExactlyInAnyOrderEntriesOf(Map.of("RHID_SERVICE", "dns", "RHID_FROM", "down",
                    "RHID_TO", "up", "RHID_PREFIXES", "198.51.100.53/32 2001:db8::53/128"));
            assertThat(c.timeout()).isEqualTo(TIMEOUT);
            assertThat(c.thread()).as("never the caller's (the control loop's) thread").isEqualTo("rhid-hooks");
        }
    }

    @Test
    void runs_hooks_one_at_a_time_in_the_order_given_even_when_some_fail() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<String> started = new LinkedBlockingQueue<>();
        Hooks.Runner runner = (argv, env, timeout) -> {
            started.add(env.get("RHID_TO"));
            if (env.get("RHID_TO").equals("up")) {
                try {
                    release.await(WAIT_SECONDS, TimeUnit.SECONDS); // the first hook is slow
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new CommandResult(argv, -1, "", 0, true); // ... and is killed
            }
            return new CommandResult(argv, env.get("RHID_TO").equals("down") ? 3 : 0, "", 0, false);
        };
        try (Hooks hooks = new Hooks(TIMEOUT, runner)) {
            hooks.run("web", List.of("h"), "down", "up", List.of());
            hooks.run("web", List.of("h"), "up", "down", List.of());
            hooks.run("web", List.of("h"), "down", "draining", List.of());
            assertThat(started.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("up");
            assertThat(started).as("the next hook waits for the running one").isEmpty();
            release.countDown();
            assertThat(started.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("down");
            assertThat(started.poll(WAIT_SECONDS, TimeUnit.SECONDS)).as("a failed hook does not stop the next")
                    .isEqualTo("draining");
        }
    }

    @Test
    void runs_nothing_for_a_service_without_a_hook_or_after_close() throws Exception {
        Hooks hooks = new Hooks(TIMEOUT, recording(0, false));
        hooks.run("web", List.of(), "down", "up", List.of("203.0.113.80/32"));
        hooks.run("web", List.of("marker"), "up", "down", List.of());
        assertThat(next().argv()).as("the empty hook was skipped, not queued").containsExactly("marker");
        hooks.close();
        hooks.run("web", List.of("late"), "down", "up", List.of()); // logged, not thrown
        assertThat(calls).isEmpty();
    }

    /** The claim about processes: the real runner gives the child the environment and kills it in time. */
    @Test
    void the_process_runner_passes_the_environment_to_a_real_child_process(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("hook.txt");
        BlockingQueue<CommandResult> done = new LinkedBlockingQueue<>();
        Hooks.Runner real = Hooks.processRunner();
        try (Hooks hooks = new Hooks(Duration.ofSeconds(30), (argv, env, timeout) -> {
            CommandResult r = real.run(argv, env, timeout);
            done.add(r);
            return r;
        })) {
            hooks.run("web", List.of("/bin/sh", "-c", "echo \"$RHID_SERVICE $RHID_FROM $RHID_TO $RHID_PREFIXES\" > " + out),
                    "down", "up", List.of("203.0.113.80/32"));
            CommandResult r = done.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(r).isNotNull();
            assertThat(r.ok()).as(r.summary()).isTrue();
            assertThat(Files.readString(out)).isEqualTo("web down up 203.0.113.80/32\n");
        }
    }
}
