package io.rhid.agent.testing;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.Drift;
import io.rhid.agent.router.RouterApplier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/** A routing daemon for tests: records what was applied, fails or drifts when told to. */
public final class FakeRouter implements RouterApplier {

    private final List<DesiredState> applied = new ArrayList<>();
    private final Deque<String> failures = new ArrayDeque<>();
    private final Deque<List<Drift>> drifts = new ArrayDeque<>();
    private final Deque<String> driftFailures = new ArrayDeque<>();
    private final List<String> journal;
    private int attempts;
    private final Deque<String> withdrawFailures = new ArrayDeque<>();
    private int withdrawAttempts;

    public FakeRouter() {
        this(new ArrayList<>());
    }

    /** Records every successful apply into {@code journal} as "announce [P, ...]". */
    public FakeRouter(List<String> journal) {
        this.journal = journal;
    }

    /** The next apply fails with {@code message}. */
    public void failNext(String message) {
        failures.add(message);
    }

    /** The next drift check reports {@code drift}. */
    public void driftNext(Drift... drift) {
        drifts.add(List.of(drift));
    }

    /** The next drift check fails with {@code message}, as when the daemon cannot be reached. */
    public void failDriftNext(String message) {
        driftFailures.add(message);
    }

    /** Every successful apply, in order. */
    public List<DesiredState> applied() {
        return List.copyOf(applied);
    }

    public int attempts() {
        return attempts;
    }

    /** The prefixes announced by the last successful apply. */
    public Set<Prefix> announced() {
        return applied.isEmpty() ? Set.of() : applied.get(applied.size() - 1).announcements().keySet();
    }

    @Override
    public String daemon() {
        return "fake";
    }

    @Override
    public void apply(DesiredState desired) throws ApplyException {
        attempts++;
        if (!failures.isEmpty()) {
            throw new ApplyException(failures.poll());
        }
        applied.add(desired);
        journal.add("announce " + desired.announcements().keySet());
    }

    @Override
    public List<Drift> drift(DesiredState state) throws ApplyException {
        if (!driftFailures.isEmpty()) {
            throw new ApplyException(driftFailures.poll());
        }
        return drifts.isEmpty() ? List.of() : drifts.poll();
    }

    /** The next {@code n} withdrawAll calls fail with {@code message}, as a hung daemon's would. */
    public void failWithdrawAll(int n, String message) {
        for (int i = 0; i < n; i++) {
            withdrawFailures.add(message);
        }
    }

    public int withdrawAllAttempts() {
        return withdrawAttempts;
    }

    @Override
    public String withdrawAll() throws ApplyException {
        withdrawAttempts++;
        if (!withdrawFailures.isEmpty()) {
            throw new ApplyException(withdrawFailures.poll());
        }
        applied.add(DesiredState.EMPTY);
        journal.add("withdraw all");
        return "withdrawn";
    }

    @Override
    public String render(DesiredState desired) {
        return desired.announcements().keySet().toString();
    }
}
