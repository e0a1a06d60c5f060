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

/** {@code rhid resume}: asks the running daemon to resume services. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = {"Return drained or draining services to health-driven announcement.",
                "Exit 0; 1 if the daemon refused (e.g. an unknown service); 69 if it cannot be reached."})
final class ResumeCommand implements Callable<Integer> {

    @Mixin
    SocketOption daemon;

    @Parameters(arity = "0..*", paramLabel = "SERVICE", description = "The services to resume.")
    List<String> services = new ArrayList<>();

    @Option(names = "--all", description = "Every service.")
    boolean all;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (all == !services.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, all ? "resume: give SERVICE names or --all, not both"
                    : "resume: give SERVICE names or --all");
        }
        return daemon.send(spec, "resume", services, all);
    }
}
