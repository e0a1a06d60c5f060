package io.rhid.agent.cli;

import io.rhid.agent.config.ConfigError;
import io.rhid.agent.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point: builds the command line, maps exceptions to exit codes, exits. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line and returns its exit code; used by tests without exiting. */
    static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new MainCommand());
        cli.setExecutionExceptionHandler(Main::handle);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }

    /** The one place where exceptions become messages and exit codes. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof ConfigException ce) {
            for (ConfigError error : ce.errors()) {
                err.println(error);
            }
            err.println(ce.errors().size() == 1 ? "1 error" : ce.errors().size() + " errors");
            err.flush();
            return ExitCodes.CONFIG;
        }
        if (e instanceof CliException ce) {
            err.println("rhid: " + ce.getMessage());
            err.flush();
            return ce.exitCode();
        }
        err.println("rhid: internal error: " + e);
        e.printStackTrace(err);
        err.flush();
        return ExitCodes.SOFTWARE;
    }
}
