package org.jamesproxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;

import javax.net.ssl.SSLHandshakeException;

import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.tls.authority.ProxyAuthority;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.KeyAlgorithm;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.TrustStores;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MintingServerTlsContextTest {
    private static final CertificateAuthority UPSTREAM_CA = CertificateAuthority.create("CN=Some Public CA", KeyAlgorithm.RSA_2048);

    @ParameterizedTest(name = "{0} Proxy Authority, {1}")
    @CsvSource({"EC_P256, TLSv1.2", "EC_P256, TLSv1.3", "RSA_2048, TLSv1.2", "RSA_2048, TLSv1.3"})
    void aClientTrustingOnlyTheProxyAuthorityAcceptsTheMintedLeaf(KeyAlgorithm caAlgorithm, String protocol) throws Exception {
        CertificateAuthority proxyAuthority = CertificateAuthority.create("CN=Proxy Authority", caAlgorithm);
        MintingServerTlsContext minting = new MintingServerTlsContext(ProxyAuthority.create(proxyAuthority), TlsProfile.DEFAULT);
        X509Certificate upstream = UPSTREAM_CA.issue(ServerCertificateRequest.forNames("imap.example.com")
            .keyAlgorithm(KeyAlgorithm.RSA_2048).validFor(Duration.ofDays(30)).build()).certificate();

        try (NettyTlsServer server = NettyTlsServer.start(channel -> minting.newHandler(channel.alloc(), "imap.example.com", Optional.of(upstream)))) {
            TlsClients.Result result = TlsClients.connect(server.port(), "imap.example.com", TrustStores.of(proxyAuthority), protocol);

            assertThat(result.greeting).isEqualTo(NettyTlsServer.GREETING);
            assertThat(result.protocol).isEqualTo(protocol);
            assertThat(result.peerChain[0].getSubjectX500Principal().getName()).isEqualTo("CN=imap.example.com");
            assertThat(result.peerChain[0].getIssuerX500Principal()).isEqualTo(proxyAuthority.certificate().getSubjectX500Principal());
        }
    }

    @ParameterizedTest
    @CsvSource({"TLSv1.2", "TLSv1.3"})
    void aClientTrustingOnlyTheUpstreamCaRefusesTheMintedLeaf(String protocol) throws Exception {
        MintingServerTlsContext minting = new MintingServerTlsContext(
            ProxyAuthority.create(CertificateAuthority.create("CN=Proxy Authority")), TlsProfile.DEFAULT);

        try (NettyTlsServer server = NettyTlsServer.start(channel -> minting.newHandler(channel.alloc(), "imap.example.com", Optional.empty()))) {
            assertThatThrownBy(() -> TlsClients.connect(server.port(), "imap.example.com", TrustStores.of(UPSTREAM_CA), protocol))
                .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @ParameterizedTest
    @CsvSource({"TLSv1.2", "TLSv1.3"})
    void aClientAskingForAnotherNameRefusesTheMintedLeaf(String protocol) throws Exception {
        CertificateAuthority proxyAuthority = CertificateAuthority.create("CN=Proxy Authority");
        MintingServerTlsContext minting = new MintingServerTlsContext(ProxyAuthority.create(proxyAuthority), TlsProfile.DEFAULT);

        try (NettyTlsServer server = NettyTlsServer.start(channel -> minting.newHandler(channel.alloc(), "imap.example.com", Optional.empty()))) {
            assertThatThrownBy(() -> TlsClients.connect(server.port(), "pop.example.com", TrustStores.of(proxyAuthority), protocol))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("pop.example.com");
        }
    }
}
