package io.rhid.agent.systemd;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** A Unix datagram socket bound where NOTIFY_SOCKET points, receiving what rhid tells systemd; for tests. */
public final class FakeSystemd implements AutoCloseable {

    private final UnixDatagram socket;

    private FakeSystemd(UnixDatagram socket) {
        this.socket = socket;
    }

    public static FakeSystemd bind(Path path) throws IOException {
        return new FakeSystemd(UnixDatagram.bind(path.toString()));
    }

    /** The next message, or null if none came within {@code timeout}. */
    public String receive(Duration timeout) throws IOException {
        return socket.receive(timeout);
    }

    @Override
    public void close() {
        socket.close();
    }
}
