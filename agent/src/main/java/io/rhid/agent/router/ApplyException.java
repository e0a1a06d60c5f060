package io.rhid.agent.router;

/** An apply or a drift check that failed; the message is what operators see in logs and status. */
public final class ApplyException extends Exception {

    public ApplyException(String message) {
        super(message);
    }

    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
