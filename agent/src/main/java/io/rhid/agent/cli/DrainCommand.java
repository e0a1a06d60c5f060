package io.rhid.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rhid drain}: asks the running daemon to drain services. */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = {"Drain services for maintenance: announce them with the draining attributes for drain_hold, then withdraw them until resumed. Drains survive reloads and restarts.",
                "Exit 0; 1 if the daemon refused (e.g. an unknown service); 69 if it cannot be reached."})
final class DrainCommand implements Callable<Integer> {

    @Mixin
    SocketOption daemon;

    @Mixin
    ServiceSelection target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        target.require("drain");
        return daemon.send(spec, "drain", target.services, target.all);
    }
}
