package io.rhid.agent.cli;

import io.rhid.agent.config.ConfigException;
import io.rhid.agent.config.ConfigLoader;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.importer.AnycastHealthchecker;
import io.rhid.agent.importer.ExabgpHealthcheck;
import io.rhid.agent.importer.ImportException;
import io.rhid.agent.importer.Imported;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rhid import}: converts other tools' configs into rhid YAML on stdout; warnings (what
 * could not be carried over) go to stderr. Exit 0 converted, 1 converted with warnings, 78
 * unreadable input.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Convert another health checker's config into rhid YAML (stdout); warnings go to stderr. "
                + "Exit 0 converted, 1 converted with warnings, 78 unreadable input.",
        subcommands = {ImportCommand.AnycastHealthcheckerCommand.class, ImportCommand.ExabgpHealthcheckCommand.class})
final class ImportCommand {

    static final int WARNINGS = 1;

    /** {@code rhid import anycast-healthchecker FILE...}. */
    @Command(name = "anycast-healthchecker", mixinStandardHelpOptions = true,
            description = {"Convert anycast-healthchecker's config: its main file (the [daemon] section) and the service "
                    + "check files; a directory means its *.conf files.",
                    "Example: rhid import anycast-healthchecker /etc/anycast-healthchecker.conf /etc/anycast-healthchecker.d"})
    static final class AnycastHealthcheckerCommand implements Callable<Integer> {

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files or directories, read in this order.")
        List<Path> files = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return finish(spec.commandLine().getOut(), spec.commandLine().getErr(), () -> AnycastHealthchecker.importFiles(files));
        }
    }

    /** {@code rhid import exabgp-healthcheck -- ARGS...}. */
    @Command(name = "exabgp-healthcheck", mixinStandardHelpOptions = true,
            description = {"Convert ExaBGP healthcheck's options (after --), or the whole run line of its exabgp.conf "
                    + "process block (one quoted argument).",
                    "Examples: rhid import exabgp-healthcheck -- --cmd 'curl -sf http://127.0.0.1/' --ip 203.0.113.80",
                    "          rhid import exabgp-healthcheck 'run python3 -m exabgp healthcheck --ip 203.0.113.80 ...;'"})
    static final class ExabgpHealthcheckCommand implements Callable<Integer> {

        @Parameters(arity = "1..*", paramLabel = "ARG", description = "healthcheck's arguments, or one run line.")
        List<String> args = new ArrayList<>();

        CommandSpec spec;

        /** healthcheck's options are this command's arguments, so they pass even without the "--". */
        @Spec
        void spec(CommandSpec spec) {
            spec.parser().unmatchedOptionsArePositionalParams(true);
            this.spec = spec;
        }

        @Override
        public Integer call() {
            return finish(spec.commandLine().getOut(), spec.commandLine().getErr(), () -> ExabgpHealthcheck.importArguments(args));
        }
    }

    interface Conversion {
        Imported run() throws ImportException;
    }

    /** Runs a conversion, checks its output with rhid's config loader, prints it and returns the exit code. */
    static int finish(PrintWriter out, PrintWriter err, Conversion conversion) {
        Imported imported;
        try {
            imported = conversion.run();
        } catch (ImportException e) {
            e.errors().forEach(line -> err.println("rhid import: " + line));
            err.flush();
            return ExitCodes.CONFIG;
        }
        // The promise is a config rhid accepts; a conversion that breaks it is a bug in the importer.
        try {
            new ConfigLoader(ProbeTypes.load()).parse(Path.of("imported.yaml"), imported.yaml());
        } catch (ConfigException e) {
            out.print(imported.yaml());
            out.flush();
            err.println("rhid import: internal error: the converted config does not validate:");
            e.errors().forEach(error -> err.println("  " + error));
            err.flush();
            return ExitCodes.SOFTWARE;
        }
        out.print(imported.yaml());
        out.flush();
        imported.warnings().forEach(w -> err.println("rhid import: warning: " + w));
        if (!imported.warnings().isEmpty()) {
            err.println("rhid import: " + imported.warnings().size() + (imported.warnings().size() == 1 ? " warning" : " warnings")
                    + "; each is also a WARNING comment in the output");
        }
        err.flush();
        return imported.warnings().isEmpty() ? ExitCodes.OK : WARNINGS;
    }
}
