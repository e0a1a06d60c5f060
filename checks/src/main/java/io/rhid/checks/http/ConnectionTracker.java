package io.rhid.checks.http;

import java.net.InetSocketAddress;
import java.net.Proxy;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.Response;

/**
 * Records whether a call ran on a pooled connection and whether it got a response; one per probe,
 * so it sees one call at a time (OkHttp may report a cancellation from its watchdog thread).
 */
final class ConnectionTracker extends EventListener {

    private volatile boolean connected;
    private volatile boolean acquired;
    private volatile boolean responded;

    void reset() {
        connected = false;
        acquired = false;
        responded = false;
    }

    /**
     * Whether the call failed on a connection taken from the pool before any response arrived: the
     * signature of a keep-alive connection the server closed while it sat idle.
     */
    boolean failedOnPooledConnection() {
        return acquired && !connected && !responded;
    }

    @Override
    public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
        connected = true;
    }

    @Override
    public void connectionAcquired(Call call, Connection connection) {
        acquired = true;
    }

    @Override
    public void responseHeadersEnd(Call call, Response response) {
        responded = true;
    }
}
