package io.rhid.agent.cli;

import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rhid check-config}: validates a config file and prints every error, or a summary. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Validate the config file; print every error (exit 78) or a one-line summary (exit 0).")
final class CheckConfigCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RhidConfig c = config.load(ProbeTypes.load());
        int checks = c.services().values().stream().mapToInt(s -> s.checks().size()).sum();
        long prefixes = c.services().values().stream().flatMap(s -> s.prefixes().stream()).distinct().count();
        spec.commandLine().getOut().printf("%s: ok: %d %s, %d %s, %d %s, daemon %s%n", config.file,
                c.services().size(), plural(c.services().size(), "service"),
                checks, plural(checks, "check"),
                prefixes, plural(prefixes, "prefix"),
                c.router().daemon().name().toLowerCase(java.util.Locale.ROOT));
        return ExitCodes.OK;
    }

    private static String plural(long n, String word) {
        if (n == 1) {
            return word;
        }
        return word.endsWith("x") ? word + "es" : word + "s";
    }
}
