package org.jamesproxy.tls.authority;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.KeyAlgorithm;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.Validity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProxyAuthorityTest {
    private static final CertificateAuthority UPSTREAM_CA = CertificateAuthority.create("CN=Some Public CA");

    private static X509Certificate upstreamLeaf(Duration validFor) {
        return UPSTREAM_CA.issue(ServerCertificateRequest.forNames("imap.example.com", "*.mail.example.com")
            .ipAddress("192.0.2.7")
            .commonName("imap.example.com")
            .validFor(validFor)
            .build()).certificate();
    }

    private static List<Object> altNames(X509Certificate certificate) throws Exception {
        return certificate.getSubjectAlternativeNames().stream().map(name -> name.get(1)).collect(Collectors.toList());
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void mintedLeafShouldCopyTheUpstreamNamesAndBeSignedByTheAuthority(KeyAlgorithm caAlgorithm) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("CN=Proxy Authority", caAlgorithm);
        ProxyAuthority authority = ProxyAuthority.create(ca);

        KeyStore.PrivateKeyEntry entry = authority.forHost("imap.example.com", Optional.of(upstreamLeaf(Duration.ofDays(90))));

        X509Certificate leaf = (X509Certificate) entry.getCertificateChain()[0];
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=imap.example.com");
        assertThat(altNames(leaf)).containsExactly("imap.example.com", "*.mail.example.com", "192.0.2.7");
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(entry.getCertificateChain()).hasSize(2);
        assertThat(entry.getCertificateChain()[1]).isEqualTo(ca.certificate());
        leaf.verify(ca.certificate().getPublicKey());
        assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(leaf.getSigAlgName()).isEqualTo(caAlgorithm.signatureAlgorithm());
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
    }

    @Test
    void withoutUpstreamCertificateTheLeafCarriesTheRequestedName() throws Exception {
        ProxyAuthority authority = ProxyAuthority.create(CertificateAuthority.create("CN=Proxy Authority"));

        X509Certificate leaf = (X509Certificate) authority.forHost("Mail.Example.ORG.", Optional.empty()).getCertificateChain()[0];

        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=mail.example.org");
        assertThat(altNames(leaf)).containsExactly("mail.example.org");
    }

    @Test
    void anIpAddressBecomesAnIpSubjectAltName() throws Exception {
        ProxyAuthority authority = ProxyAuthority.create(CertificateAuthority.create("CN=Proxy Authority"));

        X509Certificate leaf = (X509Certificate) authority.forHost("198.51.100.4", Optional.empty()).getCertificateChain()[0];

        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(7, "198.51.100.4"));
    }

    @Test
    void validityShouldBeShortAndEndNoLaterThanTheUpstreams() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        ProxyAuthority authority = ProxyAuthority.create(CertificateAuthority.create("CN=Proxy Authority"), Duration.ofDays(7), 100, clock);

        X509Certificate longLived = (X509Certificate) authority.forHost("imap.example.com",
            Optional.of(upstreamLeaf(Duration.ofDays(90)))).getCertificateChain()[0];
        X509Certificate upstreamEndingSoon = upstreamLeaf(Duration.ofDays(2));
        X509Certificate shortLived = (X509Certificate) authority.forHost("imap.example.com",
            Optional.of(upstreamEndingSoon)).getCertificateChain()[0];

        assertThat(longLived.getNotBefore().toInstant()).isEqualTo(now.minus(Duration.ofHours(1)));
        assertThat(longLived.getNotAfter().toInstant()).isEqualTo(now.plus(Duration.ofDays(7)));
        assertThat(shortLived.getNotAfter().toInstant()).isEqualTo(upstreamEndingSoon.getNotAfter().toInstant().truncatedTo(ChronoUnit.SECONDS));
    }

    @Test
    void anExpiredUpstreamGivesAnExpiredLeaf() {
        ProxyAuthority authority = ProxyAuthority.create(CertificateAuthority.create("CN=Proxy Authority"));
        X509Certificate expired = UPSTREAM_CA.issue(ServerCertificateRequest.forNames("old.example.com")
            .validity(Validity.between(Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1))))
            .build()).certificate();

        X509Certificate leaf = (X509Certificate) authority.forHost("old.example.com", Optional.of(expired)).getCertificateChain()[0];

        assertThat(leaf.getNotAfter()).isBefore(java.util.Date.from(Instant.now()));
    }

    @Test
    void aHostShouldBeMintedOnceAndEveryLeafShouldShareOneKeyPair() {
        ProxyAuthority authority = ProxyAuthority.create(CertificateAuthority.create("CN=Proxy Authority"));
        X509Certificate upstream = upstreamLeaf(Duration.ofDays(90));

        KeyStore.PrivateKeyEntry first = authority.forHost("imap.example.com", Optional.of(upstream));
        KeyStore.PrivateKeyEntry again = authority.forHost("imap.example.com", Optional.of(upstream));
        KeyStore.PrivateKeyEntry other = authority.forHost("smtp.example.net", Optional.empty());

        assertThat(again).isSameAs(first);
        assertThat(authority.mintCount()).isEqualTo(2);
        assertThat(authority.cachedCount()).isEqualTo(2);
        assertThat(other.getPrivateKey()).isEqualTo(first.getPrivateKey());
        assertThat(other.getCertificate().getPublicKey()).isEqualTo(first.getCertificate().getPublicKey());
    }

    @Test
    void aChangedUpstreamCertificateIsMintedAgain() {
        ProxyAuthority authority = ProxyAuthority.create(CertificateAuthority.create("CN=Proxy Authority"));

        KeyStore.PrivateKeyEntry before = authority.forHost("imap.example.com", Optional.of(upstreamLeaf(Duration.ofDays(90))));
        KeyStore.PrivateKeyEntry after = authority.forHost("imap.example.com", Optional.of(upstreamLeaf(Duration.ofDays(90))));

        assertThat(after).isNotSameAs(before);
        assertThat(authority.mintCount()).isEqualTo(2);
    }

    @Test
    void aLeafNearItsEndIsMintedAgain() {
        Instant start = Instant.now();
        MutableClock clock = new MutableClock(start);
        ProxyAuthority authority = ProxyAuthority.create(CertificateAuthority.create("CN=Proxy Authority"), Duration.ofDays(8), 100, clock);
        X509Certificate upstream = upstreamLeaf(Duration.ofDays(90));

        KeyStore.PrivateKeyEntry first = authority.forHost("imap.example.com", Optional.of(upstream));
        clock.now = start.plus(Duration.ofDays(3));
        assertThat(authority.forHost("imap.example.com", Optional.of(upstream))).isSameAs(first);
        clock.now = start.plus(Duration.ofDays(5));
        assertThat(authority.forHost("imap.example.com", Optional.of(upstream))).isNotSameAs(first);
        assertThat(authority.mintCount()).isEqualTo(2);
    }

    @Test
    void replacingTheAuthorityClearsTheCache() {
        ProxyAuthority authority = ProxyAuthority.create(CertificateAuthority.create("CN=Proxy Authority"));
        KeyStore.PrivateKeyEntry before = authority.forHost("imap.example.com", Optional.empty());
        CertificateAuthority next = CertificateAuthority.create("CN=Proxy Authority 2");

        assertThat(authority.replaceAuthority(next)).isTrue();
        KeyStore.PrivateKeyEntry after = authority.forHost("imap.example.com", Optional.empty());

        assertThat(after).isNotSameAs(before);
        assertThat(after.getCertificateChain()[1]).isEqualTo(next.certificate());
        assertThat(authority.replaceAuthority(next)).isFalse();
        assertThat(authority.forHost("imap.example.com", Optional.empty())).isSameAs(after);
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
