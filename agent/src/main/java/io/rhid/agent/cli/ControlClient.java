package io.rhid.agent.cli;

import io.rhid.agent.control.ControlProtocol;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The CLI's side of the control socket: one request, one reply (see {@link ControlProtocol}).
 * Every way of not reaching the daemon becomes a {@link CliException} with exit code 69. JSON
 * goes through {@link Json}, not Jackson, to keep the call short.
 */
final class ControlClient {

    /** Longer than the daemon's own wait for its control loop (30 s), so its error reply arrives. */
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(40);

    private final Path socket;
    private final Duration timeout;

    ControlClient(Path socket) {
        this(socket, REPLY_TIMEOUT);
    }

    ControlClient(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /** A request as the socket expects it; {@code services} empty and {@code all} false are left out. */
    static String request(String command, List<String> services, boolean all) {
        StringBuilder out = new StringBuilder("{\"command\":").append(Json.quote(command));
        if (!services.isEmpty()) {
            out.append(",\"services\":[");
            for (int i = 0; i < services.size(); i++) {
                out.append(i == 0 ? "" : ",").append(Json.quote(services.get(i)));
            }
            out.append(']');
        }
        if (all) {
            out.append(",\"all\":true");
        }
        return out.append('}').toString();
    }

    /**
     * Sends {@code request} and returns the daemon's reply, an object with {@code ok} and
     * {@code message} or {@code status}.
     */
    Map<?, ?> call(String request) {
        // notExists, not !exists: a directory the user may not enter is "permission denied", not "not running".
        if (Files.notExists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw notRunning();
        }
        String line;
        try (SocketChannel channel = connect()) {
            ControlProtocol.writeLine(channel, request, timeout);
            line = ControlProtocol.readLine(channel, ControlProtocol.MAX_REPLY_BYTES, timeout);
        } catch (SocketTimeoutException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "rhid at " + socket + " did not reply within "
                    + (timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms"));
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "lost the connection to rhid at " + socket + ": " + e.getMessage());
        }
        if (line == null) {
            throw new CliException(ExitCodes.UNAVAILABLE, "rhid at " + socket + " closed the connection without a reply");
        }
        Object reply;
        try {
            reply = Json.parse(line);
        } catch (IllegalArgumentException e) {
            reply = null;
        }
        if (!(reply instanceof Map<?, ?> object) || !(object.get("ok") instanceof Boolean)) {
            throw new CliException(ExitCodes.SOFTWARE, "unexpected reply from rhid at " + socket + ": " + abbreviate(line));
        }
        return object;
    }

    private SocketChannel connect() {
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (ConnectException e) {
            throw notRunning(); // a stale socket file: rhid was killed or crashed
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (why.contains("No such file")) {
                throw notRunning();
            }
            if (why.contains("Permission denied")) {
                why = "permission denied (run as root or as a member of the group that owns the socket)";
            }
            throw new CliException(ExitCodes.UNAVAILABLE, "cannot connect to rhid at " + socket + ": " + why);
        }
    }

    private CliException notRunning() {
        return CliException.sentence(ExitCodes.UNAVAILABLE, "rhid is not running (no daemon at " + socket + ")");
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
