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
                "Exit 0; 69 if the daemon cannot be reached."})
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
        try {
            if (json) {
                out.println(StatusJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(status));
            } else {
                out.print(StatusTable.render(StatusJson.mapper().treeToValue(status, StatusSnapshot.class)));
            }
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new CliException(ExitCodes.SOFTWARE, "unexpected status from the daemon: " + e.getMessage());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
