package io.rhid.agent.testing;

import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.CommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** Scripted replies to commands, with every call recorded (like MockWebServer for commands). */
public final class FakeCommandRunner implements CommandRunner {

    /** One recorded call. */
    public record Call(List<String> argv, String stdin) {
    }

    private final BiFunction<List<String>, String, CommandResult> replies;
    private final List<Call> calls = new ArrayList<>();

    public FakeCommandRunner(BiFunction<List<String>, String, CommandResult> replies) {
        this.replies = replies;
    }

    public static CommandResult ok(List<String> argv, String output) {
        return new CommandResult(argv, 0, output, 0, false);
    }

    public static CommandResult failed(List<String> argv, int exit, String output) {
        return new CommandResult(argv, exit, output, 0, false);
    }

    @Override
    public synchronized CommandResult run(List<String> argv, String stdin, Duration timeout) {
        calls.add(new Call(List.copyOf(argv), stdin));
        return replies.apply(argv, stdin);
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }
}
