package io.rhid.agent.router.bird;

import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How rhid sends commands to BIRD: over its control socket (the default), or through the birdc
 * binary when {@code router.bird.birdc} names one. Either way the reply reads as birdc prints it.
 */
@FunctionalInterface
public interface BirdCommands {

    /** Runs one BIRD CLI command, such as {@code configure check}; never throws. */
    CommandResult run(List<String> words);

    /** Speaks BIRD's control protocol on {@code socket} itself: no process per command. */
    static BirdCommands socket(Path socket, Duration timeout) {
        return words -> BirdSocket.run(socket, String.join(" ", words), timeout);
    }

    /** The config's transport: birdc when {@code router.bird.birdc} names it, else BIRD's socket. */
    static BirdCommands of(io.rhid.agent.config.RouterConfig.Bird bird, CommandRunner runner, Duration timeout) {
        return bird.birdc().map(birdc -> birdc(birdc, bird.socket(), runner, timeout))
                .orElseGet(() -> socket(bird.socket(), timeout));
    }

    /** Runs {@code birdc -s SOCKET COMMAND} for each command. */
    static BirdCommands birdc(Path birdc, Path socket, CommandRunner runner, Duration timeout) {
        return words -> {
            List<String> argv = new ArrayList<>(List.of(birdc.toString(), "-s", socket.toString()));
            argv.addAll(words);
            return runner.run(argv, timeout);
        };
    }
}
