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
        usageErrorsExit64(cli);
        return cli;
    }

    /** Bad options exit with EX_USAGE (64) in every command, not picocli's default 2. */
    private static void usageErrorsExit64(CommandLine cli) {
        cli.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
        cli.getSubcommands().values().forEach(Main::usageErrorsExit64);
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
            err.println(ce.line());
            err.flush();
            return ce.exitCode();
        }
        err.println("rhid: internal error: " + e);
        e.printStackTrace(err);
        err.flush();
        return ExitCodes.SOFTWARE;
    }
}
