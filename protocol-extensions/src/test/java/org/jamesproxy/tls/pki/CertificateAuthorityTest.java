package org.jamesproxy.tls.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_ENCIPHERMENT = 2;
    private static final int KEY_CERT_SIGN = 5;

    private static CertificateAuthority ca;

    @BeforeAll
    static void createCa() {
        ca = CertificateAuthority.create("CN=Test CA,O=james-mail-proxy");
    }

    @Nested
    class CaCertificate {
        @Test
        void caShouldBeSelfSignedEcP256WithTheGivenSubject() throws Exception {
            X509Certificate certificate = ca.certificate();

            assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=Test CA,O=james-mail-proxy");
            assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
            assertThat(certificate.getPublicKey()).isInstanceOf(ECPublicKey.class);
            assertThatCode(() -> certificate.verify(certificate.getPublicKey())).doesNotThrowAnyException();
        }

        @Test
        void caShouldBeACaThatCanOnlySignLeaves() {
            X509Certificate certificate = ca.certificate();

            assertThat(certificate.getBasicConstraints()).isZero();
            assertThat(certificate.getKeyUsage()[KEY_CERT_SIGN]).isTrue();
            assertThat(certificate.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        }

        @Test
        void caShouldSupportRsa() {
            CertificateAuthority rsaCa = CertificateAuthority.create("CN=RSA CA", KeyAlgorithm.RSA_2048);

            assertThat(rsaCa.certificate().getPublicKey()).isInstanceOf(RSAPublicKey.class);
            assertThat(((RSAPublicKey) rsaCa.certificate().getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
            assertThat(rsaCa.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
        }

        @Test
        void caShouldSurviveASaveAndLoadRoundTrip(@TempDir Path dir) throws Exception {
            Path file = Pkcs12KeyStores.write(ca.asIssuedCertificate(), dir.resolve("ca.p12"), "ca", "pw".toCharArray());

            CertificateAuthority loaded = CertificateAuthority.load(file, "ca", "pw".toCharArray());
            IssuedCertificate leaf = loaded.issue(ServerCertificateRequest.forNames("localhost").build());

            assertThat(loaded.certificate()).isEqualTo(ca.certificate());
            PkixAssertions.validate(leaf, ca.certificate());
        }

        @Test
        void loadShouldRefuseALeafEntry(@TempDir Path dir) {
            IssuedCertificate leaf = ca.issue(ServerCertificateRequest.forNames("localhost").build());
            Path file = Pkcs12KeyStores.write(leaf, dir.resolve("leaf.p12"), "leaf", "pw".toCharArray());

            assertThatThrownBy(() -> CertificateAuthority.load(file, "leaf", "pw".toCharArray()))
                .isInstanceOf(PkiException.class)
                .hasMessageContaining("not a CA");
        }
    }

    @Nested
    class ServerCertificates {
        @Test
        void leafShouldCarryEveryNameInTheSubjectAltName() throws Exception {
            IssuedCertificate leaf = ca.issue(ServerCertificateRequest.forNames("localhost", "mail.example")
                .ipAddress("127.0.0.1").ipAddress("::1").build());

            List<List<?>> sans = List.copyOf(leaf.certificate().getSubjectAlternativeNames());
            assertThat(sans).extracting(san -> san.get(0) + "=" + san.get(1))
                .containsExactlyInAnyOrder(SAN_DNS + "=localhost", SAN_DNS + "=mail.example",
                    SAN_IP + "=127.0.0.1", SAN_IP + "=0:0:0:0:0:0:0:1");
            assertThat(leaf.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        }

        @Test
        void leafShouldBeAServerAuthNonCaCertificate() throws Exception {
            IssuedCertificate leaf = ca.issue(ServerCertificateRequest.forNames("localhost").build());

            assertThat(leaf.certificate().getBasicConstraints()).isEqualTo(-1);
            assertThat(leaf.certificate().getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
            assertThat(leaf.certificate().getKeyUsage()[DIGITAL_SIGNATURE]).isTrue();
            assertThat(leaf.certificate().getKeyUsage()[KEY_ENCIPHERMENT]).isFalse();
            assertThat(leaf.certificate().getKeyUsage()[KEY_CERT_SIGN]).isFalse();
        }

        @Test
        void rsaLeafShouldAlsoAllowKeyEncipherment() throws Exception {
            IssuedCertificate leaf = ca.issue(ServerCertificateRequest.forNames("localhost")
                .keyAlgorithm(KeyAlgorithm.RSA_2048).build());

            assertThat(leaf.certificate().getPublicKey()).isInstanceOf(RSAPublicKey.class);
            assertThat(leaf.certificate().getKeyUsage()[DIGITAL_SIGNATURE]).isTrue();
            assertThat(leaf.certificate().getKeyUsage()[KEY_ENCIPHERMENT]).isTrue();
            PkixAssertions.checkServerTrusted(leaf, ca.certificate());
        }

        @Test
        void ipOnlyLeafShouldUseTheIpAsCommonName() {
            IssuedCertificate leaf = ca.issue(ServerCertificateRequest.builder().ipAddress("127.0.0.1").build());

            assertThat(leaf.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=127.0.0.1");
        }

        @Test
        void chainShouldBeLeafThenCa() {
            IssuedCertificate leaf = ca.issue(ServerCertificateRequest.forNames("localhost").build());

            assertThat(leaf.chain()).hasSize(2);
            assertThat(leaf.chain().get(1)).isEqualTo(ca.certificate());
            assertThat(leaf.certificate().getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
            assertThat(leaf.certificate().getPublicKey()).isEqualTo(leaf.keyPair().getPublic());
        }

        @Test
        void serialsShouldBeRandomAndPositive() {
            List<X509Certificate> leaves = List.of(
                ca.issue(ServerCertificateRequest.forNames("localhost").build()).certificate(),
                ca.issue(ServerCertificateRequest.forNames("localhost").build()).certificate(),
                ca.issue(ServerCertificateRequest.forNames("localhost").build()).certificate());

            assertThat(leaves.stream().map(X509Certificate::getSerialNumber).collect(Collectors.toSet())).hasSize(3);
            assertThat(leaves).allSatisfy(leaf -> {
                assertThat(leaf.getSerialNumber().signum()).isPositive();
                assertThat(leaf.getSerialNumber().bitLength()).isLessThanOrEqualTo(159);
            });
        }

        @Test
        void defaultValidityShouldStartSlightlyInThePastAndLast825Days() {
            Instant before = Instant.now();
            X509Certificate leaf = ca.issue(ServerCertificateRequest.forNames("localhost").build()).certificate();

            assertThat(leaf.getNotBefore().toInstant()).isBefore(before);
            assertThat(Duration.between(before, leaf.getNotAfter().toInstant()))
                .isBetween(Duration.ofDays(825).minusMinutes(1), Duration.ofDays(825).plusMinutes(1));
        }

        @Test
        void validityShouldBeConfigurable() {
            X509Certificate leaf = ca.issue(ServerCertificateRequest.forNames("localhost")
                .validFor(Duration.ofDays(2)).build()).certificate();

            assertThat(Duration.between(Instant.now(), leaf.getNotAfter().toInstant()))
                .isBetween(Duration.ofDays(2).minusMinutes(1), Duration.ofDays(2));
        }

        @Test
        void explicitValidityShouldBeExact() {
            Instant notBefore = Instant.parse("2020-01-01T00:00:00Z");
            Instant notAfter = Instant.parse("2021-01-01T00:00:00Z");

            X509Certificate leaf = ca.issue(ServerCertificateRequest.forNames("localhost")
                .validity(Validity.between(notBefore, notAfter)).build()).certificate();

            assertThat(leaf.getNotBefore().toInstant()).isEqualTo(notBefore);
            assertThat(leaf.getNotAfter().toInstant()).isEqualTo(notAfter);
        }

        @Test
        void requestWithoutNameShouldBeRejected() {
            assertThatThrownBy(() -> ServerCertificateRequest.builder().build())
                .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void ipLiteralAsDnsNameShouldBeRejected() {
            assertThatThrownBy(() -> ServerCertificateRequest.builder().dnsName("127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void validityMustNotBeEmpty() {
            Instant now = Instant.now();
            assertThatThrownBy(() -> Validity.between(now, now)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class PkixValidation {
        @Test
        void issuedChainShouldValidateAgainstTheCa() {
            IssuedCertificate leaf = ca.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build());

            assertThatCode(() -> PkixAssertions.validate(leaf, ca.certificate())).doesNotThrowAnyException();
            assertThatCode(() -> PkixAssertions.checkServerTrusted(leaf, ca.certificate())).doesNotThrowAnyException();
        }

        @Test
        void issuedChainShouldNotValidateAgainstAnotherCa() {
            CertificateAuthority other = CertificateAuthority.create("CN=Test CA,O=james-mail-proxy");
            IssuedCertificate leaf = ca.issue(ServerCertificateRequest.forNames("localhost").build());

            assertThatThrownBy(() -> PkixAssertions.validate(leaf, other.certificate()))
                .isInstanceOf(CertPathValidatorException.class);
            assertThatThrownBy(() -> PkixAssertions.checkServerTrusted(leaf, other.certificate()))
                .isInstanceOf(CertificateException.class);
        }

        @Test
        void expiredCertificateShouldBeRejected() {
            IssuedCertificate expired = ca.issue(ServerCertificateRequest.forNames("localhost")
                .validity(Validity.between(Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1))))
                .build());

            assertThatThrownBy(() -> PkixAssertions.validate(expired, ca.certificate()))
                .isInstanceOf(CertPathValidatorException.class)
                .satisfies(e -> assertThat(((CertPathValidatorException) e).getReason())
                    .isEqualTo(CertPathValidatorException.BasicReason.EXPIRED));
            assertThatThrownBy(() -> PkixAssertions.checkServerTrusted(expired, ca.certificate()))
                .isInstanceOf(CertificateException.class);
        }

        @Test
        void expiredCertificateShouldValidateWithinItsWindow() {
            Instant notBefore = Instant.now().minus(Duration.ofDays(30));
            IssuedCertificate expired = ca.issue(ServerCertificateRequest.forNames("localhost")
                .validity(Validity.between(notBefore, Instant.now().minus(Duration.ofDays(1)))).build());

            assertThatCode(() -> PkixAssertions.validate(expired, ca.certificate(),
                Date.from(notBefore.plus(Duration.ofDays(1))))).doesNotThrowAnyException();
        }

        @Test
        void selfSignedLeafShouldNotBeTrustedByTheCa() {
            IssuedCertificate selfSigned = SelfSignedCertificates.issue(ServerCertificateRequest.forNames("localhost").build());

            assertThat(selfSigned.chain()).hasSize(1);
            assertThat(selfSigned.certificate().getIssuerX500Principal())
                .isEqualTo(selfSigned.certificate().getSubjectX500Principal());
            assertThat(selfSigned.certificate().getBasicConstraints()).isEqualTo(-1);
            assertThatThrownBy(() -> PkixAssertions.checkServerTrusted(selfSigned, ca.certificate()))
                .isInstanceOf(CertificateException.class);
        }

        @Test
        void selfSignedLeafShouldBeTrustedWhenPinnedAsAnchor() {
            IssuedCertificate selfSigned = SelfSignedCertificates.issue(ServerCertificateRequest.forNames("localhost").build());

            assertThatCode(() -> PkixAssertions.checkServerTrusted(selfSigned, selfSigned.certificate()))
                .doesNotThrowAnyException();
        }

        @Test
        void rsaCaShouldIssueEcLeavesThatValidate() {
            CertificateAuthority rsaCa = CertificateAuthority.create("CN=RSA CA", KeyAlgorithm.RSA_2048);
            IssuedCertificate leaf = rsaCa.issue(ServerCertificateRequest.forNames("localhost").build());

            assertThat(leaf.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
            assertThatCode(() -> PkixAssertions.checkServerTrusted(leaf, rsaCa.certificate())).doesNotThrowAnyException();
        }
    }
}
