package io.rhid.agent.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * The rhid CLI run in-process, as {@code rhid ARGS...} would run it (same exception handler and
 * exit codes), with stdout and stderr captured; for tests outside this package. One instance may
 * run many command lines in turn (building picocli's model once is what costs), on one thread.
 */
public final class InProcessCli {

    /** One finished command line. */
    public record Run(int exit, String out, String err) {
    }

    private final CommandLine cli = Main.commandLine();

    /** Runs one command line on a fresh CLI. */
    public static Run once(String... args) {
        return new InProcessCli().run(args);
    }

    public Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // picocli hands these to every subcommand too.
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
