package io.rhid.checks.spi;

import java.util.Objects;

/**
 * The outcome of one probe attempt: passed, or failed with a short reason.
 *
 * <p>The reason is what operators read in logs and {@code /status}, so it is short and specific:
 * {@code connect refused}, {@code timeout after 500ms}, {@code status 503}, {@code rcode SERVFAIL},
 * {@code exit 2}. A passing result may carry a detail ({@code status 200}) or an empty string.
 * Latency is measured by the caller, not by the probe.
 *
 * @param passed whether the service answered as the spec expects
 * @param reason why it failed, or a short detail when it passed; never null
 */
public record ProbeResult(boolean passed, String reason) {

    public ProbeResult {
        Objects.requireNonNull(reason, "reason");
    }

    /** A passing result with no detail. */
    public static ProbeResult pass() {
        return new ProbeResult(true, "");
    }

    /** A passing result with a short detail, such as {@code status 200}. */
    public static ProbeResult pass(String detail) {
        return new ProbeResult(true, detail);
    }

    /** A failed result with a short reason, such as {@code connect refused}. */
    public static ProbeResult failure(String reason) {
        return new ProbeResult(false, reason);
    }
}
