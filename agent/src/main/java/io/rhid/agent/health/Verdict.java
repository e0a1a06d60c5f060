package io.rhid.agent.health;

import io.rhid.agent.config.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * A service's state, since when, and why. A reason that counts down (a hold, a delay, a drain)
 * holds {@link #REMAINING} where the time left goes, and {@code untilNanos} says until when: it is
 * filled in when shown, so it never goes stale.
 *
 * @param sinceMillis wall clock, for people
 * @param untilNanos  ticker time the countdown in {@code reason} ends at; 0 when there is none
 */
public record Verdict(ServiceState state, long sinceMillis, String reason, long untilNanos) {

    /** Where a countdown's remaining time goes in a reason. */
    public static final String REMAINING = "\u0000remaining\u0000";

    public Verdict {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
    }

    /** A service that has just been configured: down until its checks have results. */
    public static Verdict starting(long nowMillis) {
        return new Verdict(ServiceState.DOWN, nowMillis, "starting: no check results yet", 0);
    }

    /** The reason as shown at {@code nowNanos}. */
    public String reasonAt(long nowNanos) {
        return untilNanos == 0 ? reason
                : reason.replace(REMAINING, Durations.human(Duration.ofNanos(Math.max(0, untilNanos - nowNanos))));
    }
}
