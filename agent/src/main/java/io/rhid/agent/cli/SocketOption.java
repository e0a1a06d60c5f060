package io.rhid.agent.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * How commands that talk to the running daemon find its control socket: {@code --socket PATH},
 * else {@code control.socket} from {@code -c FILE} (see {@link ControlSocket}).
 */
final class SocketOption {

    @Mixin
    ConfigOption config;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "The daemon's control socket (default: control.socket from the config file).")
    Path socket;

    /** The command's work, against the socket these options name. */
    ClientCall client(CommandSpec spec) {
        return new ClientCall(ControlSocket.resolve(socket, config.file, spec.commandLine().getErr()),
                spec.commandLine().getOut());
    }

    /** See {@link ClientCall#send}. */
    int send(CommandSpec spec, String command, List<String> services, boolean all) {
        return client(spec).send(command, services, all);
    }
}
