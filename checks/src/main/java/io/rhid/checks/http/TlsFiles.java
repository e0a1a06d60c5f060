package io.rhid.checks.http;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The TLS files of an {@code http} check, read and checked when the config is loaded: the CA
 * bundle that replaces the system's trusted CAs, and the client certificate chain with its key.
 * Immutable. Two values are equal when the files held equal certificates and keys, so a reload
 * after a certificate rotation creates a new probe while an unchanged one keeps its health.
 *
 * @param caFile      the {@code ca_file} path, if set
 * @param ca          its certificates, empty when unset
 * @param clientCert  the {@code client_cert} path, if set
 * @param clientChain its certificates, the client's own first
 * @param clientKey   the {@code client_key} path, if set
 * @param key         its private key, present exactly when {@code clientChain} is not empty
 */
record TlsFiles(Optional<String> caFile, List<X509Certificate> ca, Optional<String> clientCert,
                List<X509Certificate> clientChain, Optional<String> clientKey, Optional<PrivateKey> key) {

    static final TlsFiles NONE = new TlsFiles(Optional.empty(), List.of(), Optional.empty(), List.of(),
            Optional.empty(), Optional.empty());

    TlsFiles {
        Objects.requireNonNull(caFile, "caFile");
        ca = List.copyOf(ca);
        Objects.requireNonNull(clientCert, "clientCert");
        clientChain = List.copyOf(clientChain);
        Objects.requireNonNull(clientKey, "clientKey");
        Objects.requireNonNull(key, "key");
    }

    boolean hasCa() {
        return !ca.isEmpty();
    }

    boolean hasClientCertificate() {
        return key.isPresent();
    }

    boolean isEmpty() {
        return !hasCa() && !hasClientCertificate();
    }

    /** Paths only: a spec is logged and printed, and the key must never be. */
    @Override
    public String toString() {
        return "TlsFiles[ca_file=" + caFile.orElse("") + ", client_cert=" + clientCert.orElse("")
                + ", client_key=" + clientKey.orElse("") + "]";
    }
}
