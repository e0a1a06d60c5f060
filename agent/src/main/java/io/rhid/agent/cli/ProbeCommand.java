package io.rhid.agent.cli;

import io.rhid.agent.config.CheckConfig;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rhid probe}: runs every check once and prints its result, reason and latency. */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Run each check once and print result, latency and reason; exit 0 if all pass, 1 otherwise.")
final class ProbeCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Parameters(arity = "0..*", paramLabel = "SERVICE", description = "Only these services (default: all).")
    List<String> services = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ProbeTypes types = ProbeTypes.load();
        RhidConfig c = config.load(types);
        for (String name : services) {
            if (!c.services().containsKey(name)) {
                throw new CliException(ExitCodes.USAGE, "no service named " + name + " in " + config.file
                        + " (services: " + String.join(", ", c.services().keySet()) + ")");
            }
        }
        // A fresh JVM's first request loads classes and sets up TLS; done here, it counts against
        // no check's timeout, so a check passes or fails here as it would in the running daemon.
        types.warmUp(c.services().values().stream()
                .filter(s -> services.isEmpty() || services.contains(s.name()))
                .flatMap(s -> s.checks().stream()).map(CheckConfig::spec).toList());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-20s %-20s %-6s %9s  %s%n", "SERVICE", "CHECK", "RESULT", "LATENCY", "REASON");
        boolean allPassed = true;
        for (ServiceConfig s : c.services().values()) {
            if (!services.isEmpty() && !services.contains(s.name())) {
                continue;
            }
            for (CheckConfig check : s.checks()) {
                ProbeResult r;
                long start = 0;
                long end = 0;
                // Latency is the run only, as the daemon reports it: creating the probe is not timed.
                try (Probe probe = types.create(check.spec(), new ProbeContext(s.name() + "/" + check.name(), check.timing().timeout()))) {
                    start = System.nanoTime();
                    r = probe.run();
                    end = System.nanoTime();
                } catch (RuntimeException e) {
                    end = start == 0 ? 0 : System.nanoTime();
                    r = ProbeResult.failure("probe error: " + e);
                }
                double ms = (end - start) / 1e6;
                allPassed &= r.passed();
                out.printf(Locale.ROOT, "%-20s %-20s %-6s %7.1fms  %s%n", s.name(), check.name(),
                        r.passed() ? "pass" : "FAIL", ms, r.reason().isEmpty() ? check.spec().target() : r.reason());
                out.flush();
            }
        }
        return allPassed ? ExitCodes.OK : ExitCodes.CHECKS_FAILED;
    }
}
