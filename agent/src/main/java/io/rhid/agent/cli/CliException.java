package io.rhid.agent.cli;

/** A failure a command reports as one line and an exit code, without a stack trace. */
final class CliException extends RuntimeException {

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
