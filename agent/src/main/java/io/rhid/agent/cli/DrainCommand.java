package io.rhid.agent.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rhid drain}: asks the running daemon to drain services. */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = {"Drain services for maintenance: announce them with the draining attributes for drain_hold, then withdraw them until resumed. Drains survive reloads and restarts.",
                "Exit 0; 1 if the daemon refused (e.g. an unknown service); 69 if it cannot be reached."})
final class DrainCommand implements Callable<Integer> {

    @Mixin
    SocketOption daemon;

    @Parameters(arity = "0..*", paramLabel = "SERVICE", description = "The services to drain.")
    List<String> services = new ArrayList<>();

    @Option(names = "--all", description = "Every service.")
    boolean all;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (all == !services.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, all ? "drain: give SERVICE names or --all, not both"
                    : "drain: give SERVICE names or --all");
        }
        return daemon.send(spec, "drain", services, all);
    }
}
