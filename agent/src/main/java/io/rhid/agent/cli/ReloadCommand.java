package io.rhid.agent.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rhid reload}: asks the running daemon to re-read its config file (like SIGHUP, but with a reply). */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Make the running daemon re-read the config file it was started with (-c only locates "
                + "the socket). An invalid file changes nothing; its errors are printed.",
                "Exit 0; 1 if the daemon refused the file; 69 if it cannot be reached."})
final class ReloadCommand implements Callable<Integer> {

    @Mixin
    SocketOption daemon;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return daemon.send(spec, "reload", List.of(), false);
    }
}
