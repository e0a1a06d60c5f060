package io.rhid.agent.cli;

/** A failure a command reports as one line and an exit code, without a stack trace. */
final class CliException extends RuntimeException {

    private final int exitCode;
    private final boolean sentence;

    CliException(int exitCode, String message) {
        this(exitCode, message, false);
    }

    private CliException(int exitCode, String message, boolean sentence) {
        super(message);
        this.exitCode = exitCode;
        this.sentence = sentence;
    }

    /** A message that names rhid itself ("rhid is not running ..."), printed without the "rhid: " prefix. */
    static CliException sentence(int exitCode, String message) {
        return new CliException(exitCode, message, true);
    }

    int exitCode() {
        return exitCode;
    }

    /** The line printed on stderr. */
    String line() {
        return sentence ? getMessage() : "rhid: " + getMessage();
    }
}
