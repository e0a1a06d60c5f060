package io.rhid.checks.http;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS settings of {@code tls_verify: false}: any certificate chain is trusted; immutable and
 * shared by every probe so that they share pooled connections too.
 */
final class TrustAll extends X509ExtendedTrustManager {

    static final TrustAll MANAGER = new TrustAll();

    private TrustAll() {
    }

    /** Built on first use, since most configs never turn verification off. */
    static SSLSocketFactory socketFactory() {
        return Holder.FACTORY;
    }

    private static final class Holder {
        static final SSLSocketFactory FACTORY = create();

        private static SSLSocketFactory create() {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new X509ExtendedTrustManager[] {MANAGER}, null);
                return context.getSocketFactory();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK has no TLS context", e);
            }
        }
    }

    // Extended (not plain X509TrustManager) so the JDK does not wrap it with its own hostname and
    // algorithm checks.
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
