package io.rhid.checks.http;

import static io.rhid.checks.internal.Reasons.quote;

import io.rhid.checks.spi.SpecReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * Reads the PEM files an http check names ({@code ca_file}, {@code client_cert}, {@code client_key})
 * when the config is loaded, reporting every problem at the check's field; runs on the config
 * thread.
 */
final class PemFiles {

    /** Far above any CA bundle (Debian's holds about 150 certificates in 220 KB). */
    static final long MAX_SIZE = 4 * 1024 * 1024;

    private PemFiles() {
    }

    /** The text of the file at {@code path}, or empty after reporting why it cannot be used. */
    static Optional<String> read(SpecReader reader, String field, String path) {
        if (!path.startsWith("/")) {
            reader.error(field, "must be an absolute path (found " + quote(path) + ")");
            return Optional.empty();
        }
        Path file;
        try {
            file = Path.of(path);
        } catch (InvalidPathException e) {
            reader.error(field, "must be a valid path (found " + quote(path) + ")");
            return Optional.empty();
        }
        if (!Files.exists(file)) {
            reader.error(field, "no such file (found " + quote(path) + ")");
            return Optional.empty();
        }
        if (!Files.isRegularFile(file)) {
            reader.error(field, "must be a regular file (found " + quote(path) + ")");
            return Optional.empty();
        }
        if (!Files.isReadable(file)) {
            reader.error(field, "is not readable by rhid (found " + quote(path) + ")");
            return Optional.empty();
        }
        try {
            if (Files.size(file) > MAX_SIZE) {
                reader.error(field, "is larger than 4 MiB, too large for a PEM file (found " + quote(path) + ")");
                return Optional.empty();
            }
            // PEM is ASCII; Latin-1 reads any byte, so stray bytes show up as bad PEM, not as I/O.
            return Optional.of(Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            reader.error(field, "cannot be read: " + e.getMessage() + " (found " + quote(path) + ")");
            return Optional.empty();
        }
    }

    static Optional<List<X509Certificate>> certificates(SpecReader reader, String field, String path, String text) {
        try {
            return Optional.of(Pem.certificates(text));
        } catch (Pem.InvalidPemException e) {
            reader.error(field, quote(path) + " " + e.getMessage());
            return Optional.empty();
        }
    }

    static Optional<PrivateKey> privateKey(SpecReader reader, String field, String path, String text) {
        try {
            return Optional.of(Pem.privateKey(text));
        } catch (Pem.InvalidPemException e) {
            reader.error(field, quote(path) + " " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    static boolean matches(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            // Nothing to compare with here; the TLS handshake will tell.
            return true;
        }
        try {
            byte[] data = new byte[32];
            new SecureRandom().nextBytes(data);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(data);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // A key of another kind than the certificate's (RSA against EC) lands here.
            return false;
        }
    }
}
