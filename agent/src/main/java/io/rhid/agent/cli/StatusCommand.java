package io.rhid.agent.cli;

import io.rhid.agent.status.StatusSnapshot;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rhid status}: the running daemon's services, checks and announcements. {@link LeanClient}
 * runs the same command without picocli; this class is its help text and its parser of last resort.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the running daemon's services, states, checks and announced prefixes, "
                + "and the routing daemon's last apply.",
                "Exit 0 when every service is up and the last apply succeeded; 3 when a service is degraded, "
                        + "down, draining or drained, or the last apply failed (like systemctl status); "
                        + "69 if the daemon cannot be reached."})
final class StatusCommand implements Callable<Integer> {

    @Mixin
    SocketOption daemon;

    @Option(names = "--json", description = "Print the full status as JSON (the same document as GET /status).")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return daemon.client(spec).status(json);
    }

    static boolean allUp(StatusSnapshot s) {
        return ClientCall.allUp(s);
    }
}
