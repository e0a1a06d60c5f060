package io.rhid.checks.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.checks.FakeSpecReader;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ca_file}, {@code client_cert} and {@code client_key}: read at config time, used in the handshake. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HttpTlsFilesTest {

    private static final HttpProbeProvider provider = new HttpProbeProvider();
    private static final String URL = "https://127.0.0.1:8443/healthz";

    // Generated once: RSA key generation is the slow part of these tests.
    private static final HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).rsa2048().build();
    private static final HeldCertificate serverCert = new HeldCertificate.Builder()
            .addSubjectAlternativeName("127.0.0.1").signedBy(ca).build();
    private static final HeldCertificate clientCert = new HeldCertificate.Builder()
            .commonName("rhid").signedBy(ca).rsa2048().build();
    private static final HeldCertificate other = new HeldCertificate.Builder().build();

    @TempDir
    Path dir;

    private MockWebServer server;

    @BeforeAll
    static void warmUp() {
        provider.warmUp(java.util.List.of(provider.parse(FakeSpecReader.of("url", URL))));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void reads_a_ca_bundle_and_a_client_certificate_with_its_key() throws IOException {
        FakeSpecReader reader = FakeSpecReader.of("url", URL, "ca_file", write("ca.pem", ca.certificatePem()),
                "client_cert", write("client.pem", clientCert.certificatePem() + ca.certificatePem()),
                "client_key", write("client.key", clientCert.privateKeyPkcs8Pem()));

        HttpProbeSpec spec = (HttpProbeSpec) provider.parse(reader);

        assertThat(reader.errors()).isEmpty();
        assertThat(reader.unreadKeys()).isEmpty();
        assertThat(spec.tls().ca()).containsExactly(ca.certificate());
        assertThat(spec.tls().clientChain()).containsExactly(clientCert.certificate(), ca.certificate());
        assertThat(spec.tls().toString()).doesNotContain("PRIVATE").contains("client.key");
    }

    @Test
    void reads_a_pkcs1_rsa_key() throws IOException {
        FakeSpecReader reader = FakeSpecReader.of("url", URL,
                "client_cert", write("client.pem", clientCert.certificatePem()),
                "client_key", write("client.key", clientCert.privateKeyPkcs1Pem()));

        HttpProbeSpec spec = (HttpProbeSpec) provider.parse(reader);

        assertThat(reader.errors()).isEmpty();
        assertThat(spec.tls().key()).contains(clientCert.keyPair().getPrivate());
    }

    @Test
    void equal_files_give_equal_specs_and_changed_contents_do_not() throws IOException {
        String path = write("ca.pem", ca.certificatePem());
        Object first = provider.parse(FakeSpecReader.of("url", URL, "ca_file", path));
        Object again = provider.parse(FakeSpecReader.of("url", URL, "ca_file", path));
        write("ca.pem", other.certificatePem());
        Object rotated = provider.parse(FakeSpecReader.of("url", URL, "ca_file", path));

        assertThat(again).isEqualTo(first);
        assertThat(rotated).isNotEqualTo(first);
    }

    @Test
    void rejects_relative_missing_and_directory_paths() {
        assertErrors(FakeSpecReader.of("url", URL, "ca_file", "certs/ca.pem"),
                "ca_file: must be an absolute path (found \"certs/ca.pem\")");
        String missing = dir.resolve("nope.pem").toString();
        assertErrors(FakeSpecReader.of("url", URL, "ca_file", missing), "ca_file: no such file (found \"" + missing + "\")");
        assertErrors(FakeSpecReader.of("url", URL, "ca_file", dir.toString()),
                "ca_file: must be a regular file (found \"" + dir + "\")");
    }

    @Test
    void rejects_files_without_pem_content() throws IOException {
        String text = write("ca.pem", "not a certificate\n");
        assertErrors(FakeSpecReader.of("url", URL, "ca_file", text),
                "ca_file: \"" + text + "\" contains no PEM certificate (-----BEGIN CERTIFICATE-----)");
        String broken = write("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertErrors(FakeSpecReader.of("url", URL, "ca_file", broken),
                "ca_file: \"" + broken + "\" has an invalid certificate (number 1 in the file): not a DER-encoded X.509 certificate");
        String cert = write("cert.pem", clientCert.certificatePem());
        assertErrors(FakeSpecReader.of("url", URL, "client_cert", cert, "client_key", cert),
                "client_key: \"" + cert + "\" contains no PEM private key (-----BEGIN PRIVATE KEY-----), only CERTIFICATE");
    }

    @Test
    void rejects_encrypted_and_sec1_keys_saying_how_to_convert_them() throws IOException {
        String cert = write("cert.pem", clientCert.certificatePem());
        String encrypted = write("enc.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertErrors(FakeSpecReader.of("url", URL, "client_cert", cert, "client_key", encrypted),
                "client_key: \"" + encrypted + "\" holds an encrypted key; rhid needs it unencrypted (openssl pkcs8 -topk8 -nocrypt)");
        String sec1 = write("ec.key", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertErrors(FakeSpecReader.of("url", URL, "client_cert", cert, "client_key", sec1),
                "client_key: \"" + sec1 + "\" holds an EC key in SEC1 form (BEGIN EC PRIVATE KEY); convert it to PKCS#8 with openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void rejects_a_key_that_does_not_belong_to_the_certificate() throws IOException {
        String cert = write("cert.pem", clientCert.certificatePem());
        String key = write("other.key", other.privateKeyPkcs8Pem());

        assertErrors(FakeSpecReader.of("url", URL, "client_cert", cert, "client_key", key),
                "client_key: \"" + key + "\" is not the private key of the certificate in \"" + cert + "\"");
    }

    @Test
    void rejects_half_a_client_certificate_and_settings_that_cannot_apply() throws IOException {
        String cert = write("cert.pem", clientCert.certificatePem());
        String key = write("client.key", clientCert.privateKeyPkcs8Pem());
        String caFile = write("ca.pem", ca.certificatePem());

        assertErrors(FakeSpecReader.of("url", URL, "client_cert", cert),
                "client_cert: requires client_key, the PEM file of the certificate's private key");
        assertErrors(FakeSpecReader.of("url", URL, "client_key", key),
                "client_key: requires client_cert, the PEM file of the client certificate");
        assertErrors(FakeSpecReader.of("url", URL, "ca_file", caFile, "tls_verify", false),
                "ca_file: cannot be used with tls_verify: false, which trusts any certificate");
        assertErrors(FakeSpecReader.of("url", "http://127.0.0.1/", "ca_file", caFile),
                "ca_file: applies only to https URLs (url is \"http://127.0.0.1/\")");
    }

    @Test
    void verifies_the_server_against_ca_file_and_presents_the_client_certificate() throws IOException {
        startServerRequiringClientCertificates();
        String caFile = write("ca.pem", ca.certificatePem());
        String cert = write("client.pem", clientCert.certificatePem());
        String key = write("client.key", clientCert.privateKeyPkcs8Pem());
        server.enqueue(new MockResponse.Builder().code(204).build());

        ProbeResult result = run("url", url(), "ca_file", caFile, "client_cert", cert, "client_key", key);

        assertThat(result).isEqualTo(ProbeResult.pass("status 204"));
    }

    @Test
    void fails_without_the_client_certificate_the_server_requires() throws IOException {
        startServerRequiringClientCertificates();
        server.enqueue(new MockResponse.Builder().code(204).build());

        ProbeResult result = run("url", url(), "ca_file", write("ca.pem", ca.certificatePem()));

        assertThat(result.passed()).isFalse();
    }

    @Test
    void fails_when_ca_file_does_not_hold_the_servers_issuer() throws IOException {
        startServerRequiringClientCertificates();
        server.enqueue(new MockResponse.Builder().code(204).build());

        ProbeResult result = run("url", url(), "ca_file", write("other.pem", other.certificatePem()));

        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).startsWith("tls: ");
    }

    private void startServerRequiringClientCertificates() throws IOException {
        HandshakeCertificates certificates = new HandshakeCertificates.Builder()
                .heldCertificate(serverCert)
                .addTrustedCertificate(ca.certificate())
                .build();
        server = new MockWebServer();
        server.useHttps(certificates.sslSocketFactory());
        server.requireClientAuth();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    private String url() {
        return "https://127.0.0.1:" + server.getPort() + "/";
    }

    private String write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text).toString();
    }

    private static ProbeResult run(Object... config) {
        FakeSpecReader reader = FakeSpecReader.of(config);
        HttpProbeSpec spec = (HttpProbeSpec) provider.parse(reader);
        assertThat(reader.errors()).isEmpty();
        try (Probe probe = provider.create(spec, new ProbeContext("test/https", Duration.ofSeconds(2)))) {
            return probe.run();
        }
    }

    private static void assertErrors(FakeSpecReader reader, String... errors) {
        assertThat(provider.parse(reader)).isNull();
        assertThat(reader.errors()).containsExactly(errors);
    }
}
