package io.rhid.agent.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.testing.FakeRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Retrying withdrawAll on a manual clock: backoff, the bound, and the outcome. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class WithdrawalTest {

    long now;
    final List<Duration> pauses = new ArrayList<>();
    final FakeRouter router = new FakeRouter();

    Withdrawal.Result run(Duration bound) throws InterruptedException {
        return Withdrawal.untilConfirmed(router, bound, () -> now, d -> {
            pauses.add(d);
            now += d.toNanos();
        });
    }

    @Test
    void confirms_at_once_without_pausing() throws InterruptedException {
        Withdrawal.Result r = run(Duration.ofSeconds(15));
        assertThat(r.confirmed()).isTrue();
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(pauses).isEmpty();
    }

    @Test
    void retries_with_backoff_until_the_daemon_answers() throws InterruptedException {
        router.failWithdrawAll(5, "birdc configure timed out");
        Withdrawal.Result r = run(Duration.ofSeconds(15));
        assertThat(r.confirmed()).isTrue();
        assertThat(r.attempts()).isEqualTo(6);
        assertThat(r.failures()).hasSize(5).allMatch(f -> f.equals("birdc configure timed out"));
        assertThat(pauses).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    @Test
    void gives_up_unconfirmed_once_the_bound_has_passed() throws InterruptedException {
        router.failWithdrawAll(100, "BIRD hung");
        Withdrawal.Result r = run(Duration.ofSeconds(5));
        assertThat(r.confirmed()).isFalse();
        assertThat(r.message()).isEqualTo("BIRD hung");
        assertThat(now).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(pauses).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofMillis(1250));
        assertThat(r.attempts()).isEqualTo(6);
    }

    @Test
    void makes_one_attempt_when_the_router_says_its_failures_are_final() throws InterruptedException {
        List<String> attempts = new ArrayList<>();
        RouterApplier unreachable = new RouterApplier() {
            @Override
            public String daemon() {
                return "exabgp";
            }

            @Override
            public void apply(DesiredState desired) {
            }

            @Override
            public List<Drift> drift(DesiredState applied) {
                return List.of();
            }

            @Override
            public String withdrawAll() throws ApplyException {
                attempts.add("withdrawAll");
                throw new ApplyException("not the process ExaBGP started");
            }

            @Override
            public boolean withdrawAllRetries() {
                return false;
            }

            @Override
            public String render(DesiredState desired) {
                return "";
            }
        };
        Withdrawal.Result r = Withdrawal.untilConfirmed(unreachable, Duration.ofSeconds(15), () -> now, d -> pauses.add(d));
        assertThat(r.confirmed()).isFalse();
        assertThat(r.retried()).isFalse();
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(attempts).hasSize(1);
        assertThat(r.message()).isEqualTo("not the process ExaBGP started");
        assertThat(pauses).isEmpty();
        assertThat(run(Duration.ofSeconds(15)).retried()).isTrue();
    }
}
