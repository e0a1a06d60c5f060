package io.rhid.agent.cli;

import io.rhid.agent.config.ConfigError;
import io.rhid.agent.config.ConfigException;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;

/** Entry point: builds the command line, maps exceptions to exit codes, exits. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // The plain client command lines first, before any picocli class is loaded.
        Integer lean = LeanClient.run(args, LeanClient.stdout(), LeanClient.stderr());
        System.exit(lean != null ? lean : execute(args));
    }

    /** Runs one command line through picocli and returns its exit code; used by tests without exiting. */
    static int execute(String... args) {
        CommandLine client = args.length == 0 ? null : clientCommand(args[0]);
        if (client != null) {
            return client.execute(Arrays.copyOfRange(args, 1, args.length));
        }
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        return configured(new CommandLine(new MainCommand()));
    }

    /**
     * The commands that only talk to a running daemon, built on their own: picocli's model of
     * every subcommand costs more start-up time than such a call's own work, and an operator runs
     * {@code rhid status} often. They parse and behave exactly as under {@link #commandLine()}.
     *
     * @return null for any other command
     */
    static CommandLine clientCommand(String name) {
        Object command = switch (name) {
            case "status" -> new StatusCommand();
            case "drain" -> new DrainCommand();
            case "resume" -> new ResumeCommand();
            case "recheck" -> new RecheckCommand();
            case "reload" -> new ReloadCommand();
            default -> null;
        };
        if (command == null) {
            return null;
        }
        CommandLine cli = new CommandLine(command);
        cli.setCommandName("rhid " + name);
        return configured(cli);
    }

    private static CommandLine configured(CommandLine cli) {
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
