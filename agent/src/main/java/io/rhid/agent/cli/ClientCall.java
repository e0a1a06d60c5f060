package io.rhid.agent.cli;

import io.rhid.agent.status.StatusSnapshot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the client commands (status, drain, resume, recheck, reload) do once their options are
 * parsed, shared by their picocli classes and {@link LeanClient} so both print the same bytes.
 * Failures are {@link CliException}s. Used on one thread.
 */
final class ClientCall {

    private final Path socket;
    private final PrintWriter out;

    ClientCall(Path socket, PrintWriter out) {
        this.socket = socket;
        this.out = out;
    }

    /** {@code rhid status [--json]}: 0 when every service is up and the last apply succeeded, else 3. */
    int status(boolean json) {
        Map<?, ?> reply = new ControlClient(socket).call(ControlClient.request("status", List.of(), false));
        if (!Boolean.TRUE.equals(reply.get("ok"))) {
            throw new CliException(ExitCodes.REFUSED, text(reply.get("message"), "status failed"));
        }
        Object status = reply.get("status");
        StatusSnapshot snapshot;
        try {
            if (!(status instanceof Map<?, ?> document)) {
                throw new IllegalArgumentException("status: expected an object");
            }
            snapshot = StatusDocument.snapshot(document);
            if (json) {
                out.println(Json.pretty(status));
            } else {
                out.print(StatusTable.render(snapshot));
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CliException(ExitCodes.SOFTWARE, "unexpected status from the daemon: " + e.getMessage());
        }
        out.flush();
        return allUp(snapshot) ? ExitCodes.OK : ExitCodes.NOT_ALL_UP;
    }

    static boolean allUp(StatusSnapshot s) {
        if (s.router() != null && "error".equals(s.router().lastResult())) {
            return false;
        }
        for (StatusSnapshot.Service svc : s.services()) {
            if (!svc.state().equals("up")) {
                return false;
            }
        }
        return true;
    }

    /**
     * For commands whose reply is a message: prints it and returns 0, or fails with exit code 1
     * and the daemon's message when it refused.
     */
    int send(String command, List<String> services, boolean all) {
        Map<?, ?> reply = new ControlClient(socket).call(ControlClient.request(command, services, all));
        String message = text(reply.get("message"), "");
        if (!Boolean.TRUE.equals(reply.get("ok"))) {
            throw new CliException(ExitCodes.REFUSED, message.isEmpty() ? command + " failed" : message);
        }
        if (!message.isEmpty()) {
            out.println(message);
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** A scalar as text, as Jackson's {@code asText(fallback)} gives it: the fallback when absent or null. */
    private static String text(Object value, String fallback) {
        return value == null ? fallback : value instanceof Map || value instanceof List ? "" : value.toString();
    }
}
