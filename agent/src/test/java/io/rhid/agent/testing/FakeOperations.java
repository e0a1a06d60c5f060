package io.rhid.agent.testing;

import io.rhid.agent.control.Operations;
import io.rhid.agent.status.StatusSnapshot;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Operations that record each call as a line ({@code drain [dns]}, {@code resume all},
 * {@code recheck []}, {@code reload}) and answer with a scripted reply (by default ok, echoing
 * the call).
 */
public final class FakeOperations implements Operations {

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final StatusSnapshot status;
    private volatile Function<String, CompletableFuture<Reply>> replies =
            call -> CompletableFuture.completedFuture(Reply.ok("done: " + call));

    public FakeOperations(StatusSnapshot status) {
        this.status = status;
    }

    /** Answers every later call through {@code replies}, given the recorded call line. */
    public FakeOperations replying(Function<String, CompletableFuture<Reply>> replies) {
        this.replies = replies;
        return this;
    }

    public FakeOperations replying(Reply reply) {
        return replying(call -> CompletableFuture.completedFuture(reply));
    }

    public List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public CompletableFuture<Reply> drain(List<String> services, boolean all) {
        return call("drain " + (all ? "all" : services));
    }

    @Override
    public CompletableFuture<Reply> resume(List<String> services, boolean all) {
        return call("resume " + (all ? "all" : services));
    }

    @Override
    public CompletableFuture<Reply> recheck(List<String> services) {
        return call("recheck " + services);
    }

    @Override
    public CompletableFuture<Reply> reload() {
        return call("reload");
    }

    @Override
    public StatusSnapshot status() {
        return status;
    }

    private CompletableFuture<Reply> call(String line) {
        calls.add(line);
        return replies.apply(line);
    }
}
