package io.rhid.checks.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM text: certificate bundles and unencrypted private keys (PKCS#8, or PKCS#1 RSA);
 * stateless and thread-safe. Errors are {@link InvalidPemException}s whose message completes
 * "FILE ..." in a config error.
 */
final class Pem {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");
    /** AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, DER. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private Pem() {
    }

    /** A PEM file whose content is not what the field needs; the message says what was found. */
    static final class InvalidPemException extends Exception {
        InvalidPemException(String message) {
            super(message);
        }
    }

    /** Every {@code CERTIFICATE} block of {@code text}, in order; at least one. */
    static List<X509Certificate> certificates(String text) throws InvalidPemException {
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (!m.group(1).equals("CERTIFICATE")) {
                continue;
            }
            int index = out.size() + 1;
            try {
                byte[] der = decode(m.group(2));
                CertificateFactory factory = CertificateFactory.getInstance("X.509");
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (IllegalArgumentException | CertificateException e) {
                // The JDK's wording changes between releases; messages are API.
                throw new InvalidPemException("has an invalid certificate (number " + index
                        + " in the file): not a DER-encoded X.509 certificate");
            }
        }
        if (out.isEmpty()) {
            throw new InvalidPemException("contains no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    /** The one private key of {@code text}. */
    static PrivateKey privateKey(String text) throws InvalidPemException {
        Matcher m = BLOCK.matcher(text);
        List<String> seen = new ArrayList<>();
        while (m.find()) {
            String type = m.group(1);
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(decodeKey(m.group(2)));
                case "RSA PRIVATE KEY":
                    if (m.group(2).contains("ENCRYPTED")) {
                        throw new InvalidPemException("holds an encrypted key; rhid needs it unencrypted (openssl pkcs8 "
                                + "-topk8 -nocrypt)");
                    }
                    return pkcs8(wrapRsa(decodeKey(m.group(2))));
                case "ENCRYPTED PRIVATE KEY":
                    throw new InvalidPemException("holds an encrypted key; rhid needs it unencrypted (openssl pkcs8 "
                            + "-topk8 -nocrypt)");
                case "EC PRIVATE KEY":
                    throw new InvalidPemException("holds an EC key in SEC1 form (BEGIN EC PRIVATE KEY); convert it to "
                            + "PKCS#8 with openssl pkcs8 -topk8 -nocrypt");
                default:
                    seen.add(type);
            }
        }
        throw new InvalidPemException("contains no PEM private key (-----BEGIN PRIVATE KEY-----)"
                + (seen.isEmpty() ? "" : ", only " + String.join(", ", seen)));
    }

    private static byte[] decodeKey(String base64) throws InvalidPemException {
        try {
            return decode(base64);
        } catch (IllegalArgumentException e) {
            throw new InvalidPemException("has an invalid private key: " + e.getMessage());
        }
    }

    private static PrivateKey pkcs8(byte[] der) throws InvalidPemException {
        // PKCS#8 names its algorithm inside, but the JDK 17 API wants it up front: try each.
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm
            }
        }
        throw new InvalidPemException("has an invalid private key (not an RSA, EC or EdDSA key in PKCS#8 form)");
    }

    /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo, which the JDK reads. */
    private static byte[] wrapRsa(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00}); // version 0
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04); // OCTET STRING
        body.writeBytes(length(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30); // SEQUENCE
        out.writeBytes(length(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] length(int n) {
        if (n < 0x80) {
            return new byte[] {(byte) n};
        }
        if (n < 0x100) {
            return new byte[] {(byte) 0x81, (byte) n};
        }
        if (n < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        }
        return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64.strip());
    }
}
