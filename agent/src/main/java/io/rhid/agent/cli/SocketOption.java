package io.rhid.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * How commands that talk to the running daemon find its control socket: {@code --socket PATH},
 * else {@code control.socket} from {@code -c FILE}.
 *
 * <p>Only that key is read (see {@link #lookup}): the rest of the file may be mid-edit, and the
 * daemon keeps running on the config it loaded last.
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
        Lookup found = lookup(config.file);
        if (found.warning() != null) {
            err.println("rhid: warning: " + found.warning() + "; using control socket " + found.socket());
            err.flush();
        }
        return found.socket();
    }

    /** Where the socket is, and why the default was taken when it was. */
    record Lookup(Path socket, String warning) {
    }

    /**
     * Reads only {@code control.socket} from the file, with a plain YAML parser: these commands
     * start in a fraction of the time a full load takes (no binder, no probe types), and a file
     * that is being edited (the daemon keeps running on the config it loaded last) still finds
     * the socket. Absent means the default; unreadable or unusable means the default, with a
     * warning.
     */
    static Lookup lookup(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return new Lookup(DEFAULT_SOCKET, file + ": cannot read: no such file");
        } catch (IOException | RuntimeException e) {
            return new Lookup(DEFAULT_SOCKET, file + ": cannot read: " + e.getMessage());
        }
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (RuntimeException e) {
            return new Lookup(DEFAULT_SOCKET, file + ": not valid YAML (rhid check-config says where)");
        }
        Object control = doc instanceof Map<?, ?> m ? m.get("control") : null;
        Object path = control instanceof Map<?, ?> c ? c.get("socket") : null;
        if (path == null) {
            return new Lookup(DEFAULT_SOCKET, null);
        }
        if (path instanceof String p && p.startsWith("/")) {
            return new Lookup(Path.of(p), null);
        }
        return new Lookup(DEFAULT_SOCKET, file + ": control.socket must be an absolute path (found " + path + ")");
    }
}
