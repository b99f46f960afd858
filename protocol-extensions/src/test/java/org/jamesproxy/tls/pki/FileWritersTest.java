package org.jamesproxy.tls.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileWritersTest {
    private static CertificateAuthority ca;
    private static IssuedCertificate leaf;

    @TempDir
    Path dir;

    @BeforeAll
    static void issue() {
        ca = CertificateAuthority.create("CN=Writers CA");
        leaf = ca.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build());
    }

    @Test
    void pkcs12ShouldHoldKeyAndChainUnderAlias() throws Exception {
        Path file = Pkcs12KeyStores.write(leaf, dir.resolve("sub/keystore"), "james", "secret".toCharArray());

        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keyStore.load(in, "secret".toCharArray());
        }
        assertThat(Collections.list(keyStore.aliases())).containsExactly("james");
        assertThat(keyStore.getKey("james", "secret".toCharArray())).isEqualTo(leaf.privateKey());
        assertThat(keyStore.getCertificateChain("james")).containsExactly(leaf.chainArray());
    }

    @Test
    void pemChainShouldParseBackLeafFirst() throws Exception {
        Path file = PemFiles.writeCertificateChain(leaf, dir.resolve("chain.pem"));

        assertThat(Files.readString(file)).startsWith("-----BEGIN CERTIFICATE-----\n");
        try (InputStream in = Files.newInputStream(file)) {
            List<Certificate> parsed = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            assertThat(parsed).containsExactlyElementsOf(leaf.chain());
        }
    }

    @Test
    void pemLinesShouldBeAtMost64Characters() throws Exception {
        Path file = PemFiles.writeCertificate(ca.certificate(), dir.resolve("ca.pem"));

        assertThat(Files.readAllLines(file)).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(64));
        try (InputStream in = Files.newInputStream(file)) {
            X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            assertThat(parsed).isEqualTo(ca.certificate());
        }
    }

    @Test
    void pemPrivateKeyShouldBePkcs8AndMatchTheCertificate() throws Exception {
        Path file = PemFiles.writePrivateKey(leaf, dir.resolve("key.pem"));
        String pem = Files.readString(file);

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey parsed = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));

        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(parsed);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(leaf.certificate().getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void pemPrivateKeyShouldBeReadableByOwnerOnly() throws Exception {
        Path file = PemFiles.writePrivateKey(leaf, dir.resolve("key.pem"));

        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
    }

    @Test
    void rewritingShouldReplaceTheFile() throws Exception {
        Path file = dir.resolve("ca.pem");
        PemFiles.writeCertificateChain(leaf, file);

        PemFiles.writeCertificate(ca.certificate(), file);

        assertThat(Files.readString(file)).isEqualTo(PemFiles.certificate(ca.certificate()));
    }

    @Test
    void trustStoreShouldHoldOnlyTrustedCertificates() throws Exception {
        Path file = TrustStores.write(TrustStores.of(ca), dir.resolve("truststore.p12"), "changeit".toCharArray());

        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            trustStore.load(in, "changeit".toCharArray());
        }
        assertThat(Collections.list(trustStore.aliases())).containsExactly("ca-0");
        assertThat(trustStore.isCertificateEntry("ca-0")).isTrue();
        assertThat(trustStore.getCertificate("ca-0")).isEqualTo(ca.certificate());
        PkixAssertions.checkServerTrusted(leaf, (X509Certificate) trustStore.getCertificate("ca-0"));
    }
}
