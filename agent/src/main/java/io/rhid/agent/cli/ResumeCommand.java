package io.rhid.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rhid resume}: asks the running daemon to resume services. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = {"Return drained or draining services to health-driven announcement.",
                "Exit 0; 1 if the daemon refused (e.g. an unknown service); 69 if it cannot be reached."})
final class ResumeCommand implements Callable<Integer> {

    @Mixin
    SocketOption daemon;

    @Mixin
    ServiceSelection target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        target.require("resume");
        return daemon.send(spec, "resume", target.services, target.all);
    }
}
