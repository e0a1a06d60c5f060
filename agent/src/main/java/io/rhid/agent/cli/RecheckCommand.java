package io.rhid.agent.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rhid recheck}: asks the running daemon to run checks now instead of at their next interval. */
@Command(name = "recheck", mixinStandardHelpOptions = true,
        description = {"Run the checks of these services (default: all) now, e.g. after fixing a service.",
                "Exit 0; 1 if the daemon refused (e.g. an unknown service); 69 if it cannot be reached."})
final class RecheckCommand implements Callable<Integer> {

    @Mixin
    SocketOption daemon;

    @Parameters(arity = "0..*", paramLabel = "SERVICE", description = "Only these services (default: all).")
    List<String> services = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return daemon.send(spec, "recheck", services, false);
    }
}
