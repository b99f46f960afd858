package org.jamesproxy.tls;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.FileUrlFileSystem;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.TestPki;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.KeyAlgorithm;
import org.jamesproxy.tls.pki.Pkcs12KeyStores;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client leg's {@code TLS-Server.Standard} profile requires forward secrecy: openssl s_client offering only the
 * static-RSA suite AES128-SHA over TLS 1.2 is refused, ECDHE is accepted, and an admin's profile with
 * {@code <pfs>allowed</pfs>} takes AES128-SHA again. The Proxy Server certificate is RSA here, since with an EC key
 * static RSA would be impossible anyway and the test would prove nothing.
 */
class ClientLegForwardSecrecyTest {
    private static final String ALLOWING_PROFILE = "<tlsProfiles><profile name=\"My.Server.Legacy\" basedOn=\"TLS-Server.Standard\">"
        + "<pfs>allowed</pfs></profile></tlsProfiles>";

    @TempDir
    Path tempDir;

    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;
    private String rsaKeyStore;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream();
        CertificateAuthority ca = CertificateAuthority.create("CN=PFS Test CA", KeyAlgorithm.RSA_2048);
        Path keyStore = Pkcs12KeyStores.write(ca.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1")
            .keyAlgorithm(KeyAlgorithm.RSA_2048).build()), tempDir.resolve("rsa-proxy.p12"), "proxy", TestPki.SECRET.toCharArray());
        rsaKeyStore = FileUrlFileSystem.url(keyStore);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private void start(String profiles, String clientProfile) throws Exception {
        fixture.start(profiles + ImapProxyFixture.policy(clientProfile).replace("${keystore}", rsaKeyStore), upstream);
    }

    @Test
    void standardProfileShouldRefuseStaticRsaKeyExchange() throws Exception {
        start("", "");

        Handshake handshake = opensslTls12("AES128-SHA");

        assertThat(handshake.exitCode).as(handshake.output).isNotZero();
        assertThat(handshake.output).doesNotContain("* OK");
    }

    @Test
    void standardProfileShouldAcceptEcdhe() throws Exception {
        start("", "");

        Handshake handshake = opensslTls12("ECDHE-RSA-AES128-GCM-SHA256");

        assertThat(handshake.exitCode).as(handshake.output).isZero();
        assertThat(handshake.output).contains("ECDHE-RSA-AES128-GCM-SHA256").contains("* OK");
    }

    @Test
    void aProfileWithPfsAllowedShouldAcceptStaticRsaKeyExchange() throws Exception {
        start(ALLOWING_PROFILE, "<clientTlsProfile>My.Server.Legacy</clientTlsProfile>");

        Handshake handshake = opensslTls12("AES128-SHA");

        assertThat(handshake.exitCode).as(handshake.output).isZero();
        assertThat(handshake.output).contains("AES128-SHA").contains("* OK");
    }

    private record Handshake(int exitCode, String output) {
    }

    /** openssl s_client on the implicit-TLS port, TLS 1.2 with one suite; LOGOUT once connected. */
    private Handshake opensslTls12(String cipher) throws Exception {
        Process openssl = new ProcessBuilder(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + fixture.tlsPort(),
            "-tls1_2", "-cipher", cipher, "-servername", "localhost", "-brief", "-ign_eof"))
            .redirectErrorStream(true)
            .start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(openssl.getInputStream(), output));
        reader.start();
        try (OutputStream in = openssl.getOutputStream()) {
            // Connected (the proxy's greeting came through TLS) or refused (openssl ended): then LOGOUT, if still useful.
            await().atMost(Duration.ofSeconds(15))
                .until(() -> !openssl.isAlive() || output.toString(UTF_8).contains("* OK"));
            in.write("a LOGOUT\r\n".getBytes(UTF_8));
            in.flush();
        } catch (java.io.IOException e) {
            // openssl already exited (handshake refused): its output says why
        }
        assertThat(openssl.waitFor(15, TimeUnit.SECONDS)).as("openssl s_client ended").isTrue();
        reader.join(5_000);
        return new Handshake(openssl.exitValue(), output.toString(UTF_8));
    }

    private static void copy(InputStream from, ByteArrayOutputStream to) {
        try {
            from.transferTo(to);
        } catch (java.io.IOException e) {
            // the process ended
        }
    }
}
