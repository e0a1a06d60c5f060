package io.rhid.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.health.RiseFall;
import io.rhid.agent.schedule.CheckKey;
import io.rhid.agent.schedule.CheckUpdate;
import io.rhid.checks.spi.ProbeResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class InboxTest {

    final AtomicLong clock = new AtomicLong(1_000);
    final Inbox inbox = new Inbox(clock::get);

    static ControlLoop.Event result(String check, boolean passed) {
        RiseFall up = new RiseFall(true, 0, 3, 0, 5);
        return new ControlLoop.ProbeEvent(new CheckUpdate(new CheckKey("web", check),
                passed ? ProbeResult.pass("status 200") : ProbeResult.failure("status 500"),
                up.record(passed, 2, 2), up, 0, 1, 2, false));
    }

    @Test
    void only_the_first_quiet_event_after_a_take_wakes_the_loop() throws Exception {
        inbox.postQuietly(result("a", true));
        assertThat(inbox.await(0)).as("the first one, so the loop can set its flush deadline").isTrue();
        inbox.postQuietly(result("b", true));
        inbox.postQuietly(result("c", true));
        assertThat(inbox.await(0)).isFalse();
        assertThat(inbox.loud()).isFalse();
        assertThat(inbox.flushIn(1_000)).isEqualTo(Inbox.QUIET_FLUSH_NANOS);
        assertThat(inbox.flushIn(1_000 + Inbox.QUIET_FLUSH_NANOS)).as("due").isZero();
    }

    @Test
    void a_loud_event_wakes_the_loop_and_everything_is_taken_in_arrival_order() throws Exception {
        ControlLoop.Event a = result("a", true);
        ControlLoop.Event b = result("b", false);
        ControlLoop.Event c = result("c", true);
        inbox.postQuietly(a);
        inbox.await(0);
        inbox.post(b);
        inbox.postQuietly(c);
        assertThat(inbox.loud()).isTrue();
        assertThat(inbox.await(0)).isTrue();
        List<ControlLoop.Event> batch = new ArrayList<>();
        inbox.takeAll(batch);
        assertThat(batch).containsExactly(a, b, c);
        assertThat(inbox.loud()).isFalse();
        assertThat(inbox.flushIn(clock.get())).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void after_a_take_the_next_quiet_event_starts_a_new_flush_deadline() throws Exception {
        inbox.postQuietly(result("a", true));
        inbox.takeAll(new ArrayList<>());
        inbox.await(0);
        clock.set(Long.MAX_VALUE - 10); // whatever the ticker's origin, even across its wrap
        inbox.postQuietly(result("a", true));
        assertThat(inbox.flushIn(Long.MAX_VALUE - 10)).isEqualTo(Inbox.QUIET_FLUSH_NANOS);
        assertThat(inbox.flushIn(Long.MAX_VALUE - 10 + 100)).isEqualTo(Inbox.QUIET_FLUSH_NANOS - 100);
        assertThat(inbox.await(0)).isTrue();
    }

    @Test
    void a_wait_with_nothing_posted_times_out() throws Exception {
        long start = System.nanoTime();
        assertThat(inbox.await(TimeUnit.MILLISECONDS.toNanos(20))).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
    }

    @Test
    void routine_means_a_result_that_agrees_with_the_state_as_the_last_one_did_past_the_first_rise_results() {
        RiseFall upPassing = new RiseFall(true, 0, 3, 0, 5);
        RiseFall upAfterFailure = new RiseFall(true, 1, 0, 1, 5);
        RiseFall downFailing = new RiseFall(false, 0, 0, 4, 5);
        RiseFall downAfterPass = new RiseFall(false, 1, 1, 0, 5);
        assertThat(CheckBook.routine(update(upPassing, true), 2)).isTrue();
        assertThat(CheckBook.routine(update(downFailing, false), 2)).isTrue();
        assertThat(CheckBook.routine(update(upPassing, false), 2)).as("a first failure").isFalse();
        assertThat(CheckBook.routine(update(downFailing, true), 2)).as("a first pass").isFalse();
        assertThat(CheckBook.routine(update(upAfterFailure, true), 2)).as("a pass that ends a failing streak").isFalse();
        assertThat(CheckBook.routine(update(downAfterPass, false), 2)).as("a failure that ends a rising streak").isFalse();
        assertThat(CheckBook.routine(update(upAfterFailure, false), 2)).as("a failure that confirms it down").isFalse();
        RiseFall startingDown = new RiseFall(false, 0, 0, 1, 1);
        assertThat(CheckBook.routine(update(startingDown, false), 2))
                .as("the second of rise 2 results: the service may now be judged").isFalse();
        assertThat(CheckBook.routine(update(startingDown.record(false, 2, 2), false), 2)).isTrue();
        CheckUpdate asked = update(upPassing, true);
        asked = new CheckUpdate(asked.key(), asked.result(), asked.health(), asked.previous(), 0, 1, 2, true);
        assertThat(CheckBook.routine(asked, 2)).as("a run an operator asked for").isFalse();
    }

    static CheckUpdate update(RiseFall before, boolean passed) {
        return new CheckUpdate(new CheckKey("web", "http"), passed ? ProbeResult.pass("ok") : ProbeResult.failure("no"),
                before.record(passed, 2, 2), before, 0, 1, 2, false);
    }
}
