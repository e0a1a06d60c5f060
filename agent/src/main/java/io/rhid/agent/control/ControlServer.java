package io.rhid.agent.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.status.StatusJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket: a Unix domain socket (mode 0660) on which operators, through the CLI, ask
 * the running daemon for its status or to drain, resume, recheck and reload. The protocol is in
 * {@link ControlProtocol}; every command maps to one {@link Operations} method.
 *
 * <p>Threading: one acceptor thread and up to {@value #MAX_HANDLERS} handler threads, all daemon
 * threads. Handlers only call {@link Operations}, which hands work to the control loop's thread,
 * and wait for its reply at most the configured timeout.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

    /** How long a handler waits for the control loop before replying with an error. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** How long a client may take to send its request, and to read the reply. */
    static final Duration IO_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_HANDLERS = 8;

    private static final Set<String> FIELDS = Set.of("command", "services", "all");

    private final Path path;
    private final Object fileKey;
    private final ServerSocketChannel server;
    private final Operations operations;
    private final Duration timeout;
    private final ThreadPoolExecutor handlers;
    private final Thread acceptor;
    private volatile boolean open = true;

    private ControlServer(Path path, Object fileKey, ServerSocketChannel server, Operations operations, Duration timeout) {
        this.path = path;
        this.fileKey = fileKey;
        this.server = server;
        this.operations = operations;
        this.timeout = timeout;
        AtomicInteger n = new AtomicInteger();
        this.handlers = new ThreadPoolExecutor(0, MAX_HANDLERS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "rhid-control-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "rhid-control-accept");
        this.acceptor.setDaemon(true);
    }

    /** Listens on {@code control.socket}; see {@link #start(Path, Operations, Duration)}. */
    public static ControlServer start(RhidConfig.Control config, Operations operations) throws IOException {
        return start(config.socket(), operations, DEFAULT_TIMEOUT);
    }

    /**
     * Creates the socket's directory if missing, replaces a stale socket file (one nobody answers
     * on), binds, sets mode 0660 and starts accepting.
     *
     * @throws IOException if another process answers on {@code socket}, if {@code socket} exists
     *                     and is not a socket, or if it cannot be bound
     */
    static ControlServer start(Path socket, Operations operations, Duration timeout) throws IOException {
        Objects.requireNonNull(operations, "operations");
        Path parent = socket.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        removeStale(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Object fileKey;
        try {
            server.bind(UnixDomainSocketAddress.of(socket), 16);
            // Right after bind: until now the mode came from the umask. The parent directory
            // (systemd's RuntimeDirectory) is what keeps others out during that moment.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            fileKey = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(socket);
            throw new IOException("control.socket " + socket + ": cannot listen: " + e.getMessage(), e);
        }
        ControlServer s = new ControlServer(socket, fileKey, server, operations, timeout);
        s.acceptor.start();
        log.info("control: listening on {}", socket);
        return s;
    }

    private static void removeStale(Path socket) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        if (!attrs.isOther()) {
            throw new IOException("control.socket " + socket + ": exists and is not a socket; refusing to replace it");
        }
        boolean answers;
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(socket)).close();
            answers = true;
        } catch (ConnectException refused) {
            answers = false;
        } catch (IOException e) {
            throw new IOException("control.socket " + socket + ": cannot tell whether another rhid answers on it: "
                    + e.getMessage(), e);
        }
        if (answers) {
            throw new IOException("control.socket " + socket + ": another rhid is running (it answers on this socket)");
        }
        // Nobody listens: left behind by a process that did not close it (killed, crashed).
        Files.deleteIfExists(socket);
        log.info("control: removed stale socket {}", socket);
    }

    /** The socket's path. */
    public Path socket() {
        return path;
    }

    /** Stops accepting, ends the handlers and removes the socket file (if it is still this one). */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        try {
            server.close();
        } catch (IOException e) {
            log.warn("control: closing {}: {}", path, e.toString());
        }
        handlers.shutdownNow();
        try {
            BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            // Another instance may have replaced a socket it found stale; leave its file alone.
            if (Objects.equals(now.fileKey(), fileKey)) {
                Files.deleteIfExists(path);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            log.warn("control: cannot remove {}: {}", path, e.toString());
        }
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- serving -----------------------------------------------------------------------------

    private void acceptLoop() {
        while (open) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!open) {
                    return;
                }
                log.warn("control: accept failed: {}", e.toString());
                pause(); // e.g. out of file descriptors: do not spin
                continue;
            }
            try {
                handlers.execute(() -> serve(channel));
            } catch (RejectedExecutionException e) {
                reject(channel);
            }
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            String line;
            try {
                line = ControlProtocol.readLine(channel, ControlProtocol.MAX_REQUEST_BYTES, IO_TIMEOUT);
            } catch (SocketTimeoutException e) {
                write(channel, error("malformed request: no complete line within " + IO_TIMEOUT.toSeconds() + "s"));
                return;
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("line longer than")) {
                    write(channel, error("malformed request: " + e.getMessage()));
                }
                return;
            }
            if (line == null) {
                return; // a connect-only probe, such as another rhid checking for a stale socket
            }
            write(channel, handle(line, peer(channel)));
        } catch (IOException e) {
            log.debug("control: client went away: {}", e.toString());
        } catch (RuntimeException e) {
            log.error("control: failed to serve a request", e);
        }
    }

    /** Answers one request line; never throws. */
    String handle(String line, String peer) {
        Request request;
        try {
            request = Request.parse(line);
        } catch (BadRequest e) {
            log.debug("control: {}: {}", peer, e.getMessage());
            return error(e.getMessage());
        }
        try {
            if (request.command().equals("status")) {
                ObjectNode reply = StatusJson.mapper().createObjectNode();
                reply.put("ok", true);
                reply.set("status", StatusJson.mapper().valueToTree(operations.status()));
                return StatusJson.mapper().writeValueAsString(reply);
            }
            CompletableFuture<Operations.Reply> future = switch (request.command()) {
                case "drain" -> operations.drain(request.services(), request.all());
                case "resume" -> operations.resume(request.services(), request.all());
                case "recheck" -> operations.recheck(request.services());
                case "reload" -> operations.reload();
                default -> throw new IllegalStateException("unhandled command " + request.command());
            };
            Operations.Reply reply = await(request, future);
            log.info("control: {}: {}: {}: {}", peer, request, reply.ok() ? "ok" : "refused", reply.message());
            return reply(reply.ok(), reply.message());
        } catch (RuntimeException | JsonProcessingException e) {
            log.error("control: {}: {} failed", peer, request, e);
            return error(request.command() + " failed: internal error: " + e);
        }
    }

    private Operations.Reply await(Request request, CompletableFuture<Operations.Reply> future) {
        try {
            Operations.Reply reply = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return reply != null ? reply : Operations.Reply.error(request.command() + " failed: no reply");
        } catch (TimeoutException e) {
            return Operations.Reply.error("no reply from the control loop within " + seconds(timeout)
                    + "; the " + request.command() + " may still take effect (check rhid status)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return Operations.Reply.error(request.command() + " failed: "
                    + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Operations.Reply.error(request.command() + " interrupted: rhid is stopping");
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static void write(SocketChannel channel, String reply) throws IOException {
        ControlProtocol.writeLine(channel, reply, IO_TIMEOUT);
    }

    private void reject(SocketChannel channel) {
        try (channel) {
            write(channel, error("busy: " + MAX_HANDLERS + " requests in progress; try again"));
        } catch (IOException e) {
            log.debug("control: rejecting a client: {}", e.toString());
        }
    }

    private static String error(String message) {
        return reply(false, message);
    }

    private static String reply(boolean ok, String message) {
        ObjectNode node = StatusJson.mapper().createObjectNode();
        node.put("ok", ok);
        node.put("message", message);
        return node.toString();
    }

    /** Who asked, for the log: the peer's user name where the platform tells it. */
    private static String peer(SocketChannel channel) {
        try {
            return channel.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown user";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- requests ----------------------------------------------------------------------------

    /** A request the socket refuses, with the message the client shows. */
    static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message);
        }
    }

    /** A parsed request: the command, its services, and whether it applies to all services. */
    record Request(String command, List<String> services, boolean all) {
        Request {
            services = List.copyOf(services);
        }

        @Override
        public String toString() {
            return command + (all ? " --all" : services.isEmpty() ? "" : " " + String.join(" ", services));
        }

        static Request parse(String line) throws BadRequest {
            ObjectMapper mapper = StatusJson.mapper();
            JsonNode node;
            try {
                node = mapper.readTree(line);
            } catch (JsonProcessingException e) {
                throw new BadRequest("malformed request: not JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new BadRequest("malformed request: must be a JSON object such as {\"command\":\"status\"}");
            }
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!FIELDS.contains(name)) {
                    throw new BadRequest("malformed request: unknown field \"" + name + "\" (fields: command, services, all)");
                }
            }
            JsonNode command = node.get("command");
            if (command == null || !command.isTextual()) {
                throw new BadRequest("malformed request: \"command\" must be one of " + String.join(", ", ControlProtocol.COMMANDS));
            }
            String name = command.textValue();
            if (!ControlProtocol.COMMANDS.contains(name)) {
                throw new BadRequest("unknown command \"" + name + "\" (commands: " + String.join(", ", ControlProtocol.COMMANDS) + ")");
            }
            List<String> services = new ArrayList<>();
            JsonNode list = node.get("services");
            if (list != null && !list.isNull()) {
                if (!list.isArray()) {
                    throw new BadRequest("malformed request: \"services\" must be a list of service names");
                }
                for (JsonNode s : list) {
                    if (!s.isTextual() || s.textValue().isEmpty()) {
                        throw new BadRequest("malformed request: \"services\" must be a list of service names");
                    }
                    if (!services.contains(s.textValue())) {
                        services.add(s.textValue());
                    }
                }
            }
            JsonNode allNode = node.get("all");
            if (allNode != null && !allNode.isNull() && !allNode.isBoolean()) {
                throw new BadRequest("malformed request: \"all\" must be true or false");
            }
            boolean all = allNode != null && allNode.booleanValue();
            switch (name) {
                case "status", "reload" -> {
                    if (all || !services.isEmpty()) {
                        throw new BadRequest(name + " takes no services");
                    }
                }
                case "drain", "resume" -> {
                    if (all == !services.isEmpty()) {
                        throw new BadRequest(all ? name + " takes service names or all, not both"
                                : name + " needs service names or all");
                    }
                }
                default -> { // recheck: no services means all of them
                    if (all && !services.isEmpty()) {
                        throw new BadRequest(name + " takes service names or all, not both");
                    }
                }
            }
            return new Request(name, services, all);
        }
    }
}
