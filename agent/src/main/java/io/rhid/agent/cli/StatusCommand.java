package io.rhid.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.rhid.agent.status.StatusJson;
import io.rhid.agent.status.StatusSnapshot;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhid status}: the running daemon's services, checks and announcements. */
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
        JsonNode reply = daemon.call(spec, "status", List.of(), false);
        if (!reply.path("ok").asBoolean()) {
            throw new CliException(ExitCodes.REFUSED, reply.path("message").asText("status failed"));
        }
        JsonNode status = reply.path("status");
        PrintWriter out = spec.commandLine().getOut();
        StatusSnapshot snapshot;
        try {
            snapshot = StatusJson.mapper().treeToValue(status, StatusSnapshot.class);
            if (json) {
                out.println(StatusJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(status));
            } else {
                out.print(StatusTable.render(snapshot));
            }
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new CliException(ExitCodes.SOFTWARE, "unexpected status from the daemon: " + e.getMessage());
        }
        out.flush();
        return allUp(snapshot) ? ExitCodes.OK : ExitCodes.NOT_ALL_UP;
    }

    static boolean allUp(StatusSnapshot s) {
        boolean applied = s.router() == null || !"error".equals(s.router().lastResult());
        return applied && s.services().stream().allMatch(svc -> svc.state().equals("up"));
    }
}
