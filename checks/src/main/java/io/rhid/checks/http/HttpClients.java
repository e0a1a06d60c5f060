package io.rhid.checks.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every http probe of one provider shares: the connection pool, the TLS settings per set of
 * TLS files (so equal checks share connections and TLS sessions), what has been learned about
 * each server's connection handling, and the bound on probes in flight per server. Thread-safe.
 */
final class HttpClients {

    private static final Logger log = LoggerFactory.getLogger(HttpClients.class);

    /**
     * How long an idle connection is kept. Shorter than the idle timeouts of common servers
     * (Apache, lighttpd and Node close after 5 s, gunicorn after 2 s), so that a server rarely
     * closes a connection the pool still offers; when it does, the probe retries on a new one.
     */
    static final Duration KEEP_ALIVE = Duration.ofMillis(1500);

    /**
     * Probes of one server in flight at once, at most. Fifty checks of one server that see a
     * change together (or start together) must not become fifty TLS handshakes at once, an
     * overload the checker itself would then report as the server's failure.
     */
    static final int MAX_IN_FLIGHT_PER_SERVER = 4;

    /** {@code tls_verify: false}: any host name, as any certificate; shared so connections are too. */
    static final HostnameVerifier ANY_HOST = (host, session) -> true;

    private static final char[] KEYSTORE_PASSWORD = "rhid".toCharArray();

    /** Plain HTTP only: building it loads no TLS classes and no system CA certificates. */
    private final OkHttpClient pooled;
    /** {@link #pooled} with TLS, built at the first https check; same connection pool. */
    private volatile OkHttpClient pooledTls;
    /** Keeps no idle connection, so a call through it always opens a new one. */
    private final ConnectionPool noReuse = new ConnectionPool(0, 1, TimeUnit.SECONDS);
    private final Map<TlsKey, Tls> tls = new ConcurrentHashMap<>();
    private final Map<String, Boolean> closesAfterResponse = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();

    HttpClients() {
        this.pooled = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(1024, KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS))
                .connectionSpecs(List.of(ConnectionSpec.CLEARTEXT))
                .retryOnConnectionFailure(false)
                .followRedirects(false)
                .followSslRedirects(false)
                .build();
    }

    /**
     * The client every probe derives its own from, so that all of them share one connection pool.
     * Only probes that may speak TLS (an https URL, or redirects that may lead to one) get the TLS
     * one: OkHttp sets TLS up, loading the system's CA certificates, for every client that can
     * use it, and a config of plain HTTP checks would carry that (~2 MB) for nothing.
     */
    OkHttpClient pooled(boolean tls) {
        if (!tls) {
            return pooled;
        }
        OkHttpClient c = pooledTls;
        if (c == null) {
            synchronized (this) {
                c = pooledTls;
                if (c == null) {
                    c = pooled.newBuilder()
                            .connectionSpecs(List.of(ConnectionSpec.MODERN_TLS, ConnectionSpec.CLEARTEXT))
                            .build();
                    pooledTls = c;
                }
            }
        }
        return c;
    }

    ConnectionPool noReusePool() {
        return noReuse;
    }

    /** The permits of probes in flight against {@code endpoint}. */
    Semaphore inFlight(String endpoint) {
        return inFlight.computeIfAbsent(endpoint, e -> new Semaphore(MAX_IN_FLIGHT_PER_SERVER, true));
    }

    /**
     * Whether the server at {@code endpoint} last answered without keeping the connection open
     * (HTTP/1.0 without {@code Connection: keep-alive}), so requests to it should say
     * {@code Connection: close} instead of leaving a dead connection in the pool.
     */
    boolean closesAfterResponse(String endpoint) {
        return closesAfterResponse.getOrDefault(endpoint, false);
    }

    /** Learns from a response whether its server keeps connections open. */
    void learn(String endpoint, Response response) {
        boolean closes = response.protocol() == Protocol.HTTP_1_0
                && !"keep-alive".equalsIgnoreCase(response.header("Connection"));
        Boolean before = closesAfterResponse.put(endpoint, closes);
        if (before == null || before != closes) {
            log.debug("{}: {} keeps connections open: {}", endpoint, response.protocol(), !closes);
        }
    }

    /**
     * The TLS settings for a check, built once per distinct setting; empty for the default
     * (verify against the system's CAs, no client certificate), which the pooled client has.
     */
    Optional<Tls> tls(boolean verify, TlsFiles files) {
        if (verify && files.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(tls.computeIfAbsent(new TlsKey(verify, files), HttpClients::build));
    }

    private static Tls build(TlsKey key) {
        try {
            X509TrustManager trust = key.verify() ? trustManager(key.files()) : TrustAll.MANAGER;
            KeyManager[] keys = key.files().hasClientCertificate() ? keyManagers(key.files()) : null;
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, new TrustManager[] {trust}, null);
            return new Tls(context.getSocketFactory(), trust, key.verify() ? null : ANY_HOST);
        } catch (GeneralSecurityException | IOException e) {
            // The files were parsed when the config was loaded; the JDK refusing them now is a bug.
            throw new IllegalStateException("cannot set up TLS for " + key.files() + ": " + e, e);
        }
    }

    private static X509TrustManager trustManager(TlsFiles files) throws GeneralSecurityException, IOException {
        KeyStore store = null;
        if (files.hasCa()) {
            store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            List<X509Certificate> ca = files.ca();
            for (int i = 0; i < ca.size(); i++) {
                store.setCertificateEntry("ca" + i, ca.get(i));
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager m : factory.getTrustManagers()) {
            if (m instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    private static KeyManager[] keyManagers(TlsFiles files) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", files.key().orElseThrow(), KEYSTORE_PASSWORD,
                files.clientChain().toArray(new X509Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, KEYSTORE_PASSWORD);
        return factory.getKeyManagers();
    }

    /**
     * Runs requests against a throwaway server on loopback, over new and kept-alive connections,
     * so that class loading, TLS initialisation and the compilation of the request path happen
     * now and not inside the first probes' timeouts: {@link #WARM_UP_REQUESTS} plain ones, and
     * with {@code tls} {@link #WARM_UP_TLS_REQUESTS} and half as many more over TLS 1.3 and 1.2, verified and with
     * {@code tls_verify: false}, (a handshake every
     * {@link #WARM_UP_TLS_PER_CONNECTION}). Contacts no configured service; a failure only costs
     * the warm-up.
     */
    void warmUp(boolean tls) {
        long start = System.nanoTime();
        try {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            exchanges(pooled(false), ServerSocketFactory.getDefault(), loopback, "http", WARM_UP_REQUESTS,
                    WARM_UP_PER_CONNECTION);
            if (tls) {
                HeldCertificate certificate = new HeldCertificate.Builder()
                        .addSubjectAlternativeName(loopback.getHostAddress())
                        .duration(10, TimeUnit.MINUTES)
                        .build();
                HandshakeCertificates server = new HandshakeCertificates.Builder().heldCertificate(certificate).build();
                HandshakeCertificates client = new HandshakeCertificates.Builder()
                        .addTrustedCertificate(certificate.certificate()).build();
                OkHttpClient verifying = pooled(true).newBuilder()
                        .sslSocketFactory(client.sslSocketFactory(), client.trustManager())
                        .build();
                // TLS 1.2 and 1.3 run different code: nginx before 1.23.4 offers only 1.2 by default.
                for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                    exchanges(verifying, tlsServer(server, protocol), loopback, "https",
                            WARM_UP_TLS_REQUESTS / 2, WARM_UP_TLS_PER_CONNECTION);
                }
                // tls_verify: false has its own TLS context, whose first handshakes are as cold.
                OkHttpClient trustingAll = pooled(true).newBuilder()
                        .sslSocketFactory(TrustAll.socketFactory(), TrustAll.MANAGER)
                        .hostnameVerifier(ANY_HOST)
                        .build();
                for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                    exchanges(trustingAll, tlsServer(server, protocol), loopback, "https",
                            WARM_UP_TLS_REQUESTS / 4, WARM_UP_TLS_PER_CONNECTION);
                }
            }
            log.debug("http: warmed up in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (IOException | RuntimeException e) {
            log.debug("http: warm-up failed (the first probes may be slower): {}", e.toString());
        }
    }

    /** Server sockets of {@code certificates} that speak only {@code protocol}. */
    private static ServerSocketFactory tlsServer(HandshakeCertificates certificates, String protocol) {
        ServerSocketFactory factory = certificates.sslContext().getServerSocketFactory();
        return new ServerSocketFactory() {
            @Override
            public ServerSocket createServerSocket(int port) throws IOException {
                return restrict(factory.createServerSocket(port));
            }

            @Override
            public ServerSocket createServerSocket(int port, int backlog) throws IOException {
                return restrict(factory.createServerSocket(port, backlog));
            }

            @Override
            public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
                return restrict(factory.createServerSocket(port, backlog, address));
            }

            private ServerSocket restrict(ServerSocket socket) {
                ((javax.net.ssl.SSLServerSocket) socket).setEnabledProtocols(new String[] {protocol});
                return socket;
            }
        };
    }

    /** Enough for the JIT to compile the request path (C1 compiles after about 200 calls). */
    static final int WARM_UP_REQUESTS = 250;
    /** A probe's first request opens a connection: that path is warmed up too. */
    static final int WARM_UP_PER_CONNECTION = 5;
    static final int WARM_UP_TLS_REQUESTS = 24;
    static final int WARM_UP_TLS_PER_CONNECTION = 3;

    private static void exchanges(OkHttpClient client, ServerSocketFactory factory, InetAddress loopback,
                                  String scheme, int count, int perConnection) throws IOException {
        try (ServerSocket listener = factory.createServerSocket(0, 1, loopback)) {
            listener.setSoTimeout(5000);
            Thread answer = new Thread(() -> answer(listener, count, perConnection), "rhid-http-warmup");
            answer.setDaemon(true);
            answer.start();
            Request request = new Request.Builder()
                    .url(scheme + "://" + loopback.getHostAddress() + ":" + listener.getLocalPort() + "/")
                    .build();
            // Its own pool, emptied at the end: nothing of the warm-up stays in the probes' pool.
            ConnectionPool pool = new ConnectionPool(1, 10, TimeUnit.SECONDS);
            OkHttpClient own = client.newBuilder().connectionPool(pool).callTimeout(Duration.ofSeconds(5)).build();
            try {
                for (int i = 0; i < count; i++) {
                    try (Response response = own.newCall(request).execute()) {
                        response.body().string();
                    }
                }
            } finally {
                pool.evictAll();
            }
        }
    }

    /** Answers {@code count} requests, closing each connection after {@code perConnection}. */
    private static void answer(ServerSocket listener, int count, int perConnection) {
        int answered = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (answered < count) {
            try (Socket socket = listener.accept()) {
                socket.setSoTimeout(5000);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                for (int onThis = 1; onThis <= perConnection && answered < count; onThis++) {
                    // Read the request head; warm-up requests have no body.
                    int matched = 0;
                    for (int i = 0; i < 64 * 1024 && matched < 4; i++) {
                        int b = in.read();
                        if (b < 0) {
                            return;
                        }
                        matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
                    }
                    boolean last = onThis == perConnection;
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + (last ? "Connection: close\r\n" : "")
                            + "\r\nok").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    answered++;
                }
            } catch (IOException e) {
                return; // the client side reports it
            }
        }
    }

    /** The TLS settings of one check: a socket factory per distinct setting. */
    record Tls(SSLSocketFactory socketFactory, X509TrustManager trustManager, HostnameVerifier hostnameVerifier) {
    }

    private record TlsKey(boolean verify, TlsFiles files) {
    }
}
