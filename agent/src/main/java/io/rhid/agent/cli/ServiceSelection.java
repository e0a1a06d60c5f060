package io.rhid.agent.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The services a command acts on: names, or {@code --all}, exactly one of the two. */
final class ServiceSelection {

    @Parameters(arity = "0..*", paramLabel = "SERVICE", description = "The services to act on.")
    List<String> services = new ArrayList<>();

    @Option(names = "--all", description = "Every service.")
    boolean all;

    /** Checks that names or --all (not both) were given; {@code verb} names the command in the message. */
    void require(String verb) {
        if (all == !services.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, all ? verb + ": give SERVICE names or --all, not both"
                    : verb + ": give SERVICE names or --all");
        }
    }
}
