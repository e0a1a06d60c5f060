package io.rhid.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rhid.agent.config.ConfigException;
import io.rhid.agent.config.ProbeTypes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * How commands that talk to the running daemon find its control socket: {@code --socket PATH},
 * else {@code control.socket} from {@code -c FILE}.
 *
 * <p>When the file does not load (an edit in progress, a typo), these commands must still reach
 * the daemon, which keeps running on the config it loaded last: they then take
 * {@code control.socket} from the file's raw YAML if it is there, else the default, and warn.
 */
final class SocketOption {

    static final Path DEFAULT_SOCKET = Path.of("/run/rhid/control.sock");

    @Mixin
    ConfigOption config;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "The daemon's control socket (default: control.socket from the config file).")
    Path socket;

    /** Sends one request and returns the reply; see {@link ControlClient#call}. */
    JsonNode call(CommandSpec spec, String command, List<String> services, boolean all) {
        return new ControlClient(resolve(spec.commandLine().getErr())).call(ControlClient.request(command, services, all));
    }

    /**
     * For commands whose reply is a message: prints it and returns 0, or fails with exit code 1
     * and the daemon's message when it refused.
     */
    int send(CommandSpec spec, String command, List<String> services, boolean all) {
        JsonNode reply = call(spec, command, services, all);
        String message = reply.path("message").asText("");
        if (!reply.path("ok").asBoolean()) {
            throw new CliException(ExitCodes.REFUSED, message.isEmpty() ? command + " failed" : message);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!message.isEmpty()) {
            out.println(message);
        }
        out.flush();
        return ExitCodes.OK;
    }

    Path resolve(PrintWriter err) {
        if (socket != null) {
            return socket;
        }
        try {
            return config.load(ProbeTypes.load()).control().socket();
        } catch (ConfigException e) {
            Path fallback = rawSocket(config.file);
            String why = e.errors().size() == 1 ? e.errors().get(0).toString()
                    : config.file + " has " + e.errors().size() + " errors (rhid check-config lists them)";
            err.println("rhid: warning: " + why + "; using control socket " + fallback);
            err.flush();
            return fallback;
        }
    }

    /** {@code control.socket} from a file that does not validate, read leniently; else the default. */
    static Path rawSocket(Path file) {
        try {
            JsonNode socket = new ObjectMapper(new YAMLFactory()).readTree(file.toFile()).path("control").path("socket");
            if (socket.isTextual() && socket.textValue().startsWith("/")) {
                return Path.of(socket.textValue());
            }
        } catch (Exception e) {
            // unreadable or not YAML at all: the default is the best guess
        }
        return DEFAULT_SOCKET;
    }
}
