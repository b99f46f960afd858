package org.jamesproxy.tls.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS handshakes over loopback with the JDK's client, PKIX trust and HTTPS-style (RFC 2818/6125) host name checking:
 * the same checks the proxy and javax.mail make.
 */
class TlsHandshakeTest {
    private static final char[] PASSWORD = "secret".toCharArray();

    private static CertificateAuthority ca;
    private static KeyStore trustStore;

    @TempDir
    Path dir;

    @BeforeAll
    static void createCa() {
        ca = CertificateAuthority.create("CN=Handshake CA");
        trustStore = TrustStores.of(ca);
    }

    @Test
    void handshakeShouldSucceedForTheDnsName() throws Exception {
        try (LoopbackTlsServer server = serve(ca.issue(localhostRequest().build()))) {
            assertThat(connect(server, "localhost", trustStore)).isEqualTo(LoopbackTlsServer.GREETING);
        }
    }

    @Test
    void handshakeShouldSucceedForTheIpAddress() throws Exception {
        try (LoopbackTlsServer server = serve(ca.issue(localhostRequest().build()))) {
            assertThat(connect(server, "127.0.0.1", trustStore)).isEqualTo(LoopbackTlsServer.GREETING);
        }
    }

    @Test
    void handshakeShouldSucceedWithRsaKeys() throws Exception {
        CertificateAuthority rsaCa = CertificateAuthority.create("CN=RSA Handshake CA", KeyAlgorithm.RSA_2048);
        try (LoopbackTlsServer server = serve(rsaCa.issue(localhostRequest().keyAlgorithm(KeyAlgorithm.RSA_2048).build()))) {
            assertThat(connect(server, "localhost", TrustStores.of(rsaCa))).isEqualTo(LoopbackTlsServer.GREETING);
        }
    }

    @Test
    void handshakeShouldFailForAWrongName() throws Exception {
        try (LoopbackTlsServer server = serve(ca.issue(localhostRequest().build()))) {
            assertThatThrownBy(() -> connect(server, "wrong.example", trustStore))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("wrong.example");
        }
    }

    @Test
    void handshakeShouldFailForAWrongIpAddress() throws Exception {
        try (LoopbackTlsServer server = serve(ca.issue(localhostRequest().build()))) {
            assertThatThrownBy(() -> connect(server, "127.0.0.2", trustStore))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("127.0.0.2");
        }
    }

    @Test
    void handshakeShouldFailForAnExpiredCertificate() throws Exception {
        IssuedCertificate expired = ca.issue(localhostRequest()
            .validity(Validity.between(Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1))))
            .build());
        try (LoopbackTlsServer server = serve(expired)) {
            assertThatThrownBy(() -> connect(server, "localhost", trustStore))
                .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void handshakeShouldFailForASelfSignedCertificate() throws Exception {
        try (LoopbackTlsServer server = serve(SelfSignedCertificates.issue(localhostRequest().build()))) {
            assertThatThrownBy(() -> connect(server, "localhost", trustStore))
                .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void handshakeShouldFailForACertificateOfAnotherCa() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("CN=Handshake CA");
        try (LoopbackTlsServer server = serve(other.issue(localhostRequest().build()))) {
            assertThatThrownBy(() -> connect(server, "localhost", trustStore))
                .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void verifyingSocketFactoryShouldCheckIpAddressesOnDirectSockets() throws Exception {
        try (LoopbackTlsServer server = serve(ca.issue(localhostRequest().build()))) {
            VerifyingSocketFactory factory = VerifyingSocketFactory.trusting(trustStore);
            try (SSLSocket socket = (SSLSocket) factory.createSocket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                assertThat(new String(socket.getInputStream().readNBytes(3), StandardCharsets.US_ASCII))
                    .isEqualTo(LoopbackTlsServer.GREETING);
            }
        }
    }

    @Test
    void verifyingSocketFactoryShouldRejectAWrongNameOnLayeredSockets() throws Exception {
        try (LoopbackTlsServer server = serve(ca.issue(localhostRequest().build()))) {
            VerifyingSocketFactory factory = VerifyingSocketFactory.trusting(trustStore);
            Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.port());
            plain.setSoTimeout(10_000);
            try (SSLSocket socket = (SSLSocket) factory.createSocket(plain, "wrong.example", server.port(), true)) {
                assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class);
            }
        }
    }

    @Test
    void verifyingSocketFactoryShouldCheckTheAddressOfAnUnconnectedSocket() throws Exception {
        IssuedCertificate dnsOnly = ca.issue(ServerCertificateRequest.forNames("localhost").build());
        try (LoopbackTlsServer server = serve(dnsOnly)) {
            VerifyingSocketFactory factory = VerifyingSocketFactory.trusting(trustStore);
            try (SSLSocket socket = (SSLSocket) factory.createSocket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
                socket.setSoTimeout(10_000);
                assertThatThrownBy(socket::startHandshake)
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("127.0.0.1");
            }
        }
    }

    @Test
    void verifyingSocketFactoryShouldAcceptTheAddressOfAnUnconnectedSocket() throws Exception {
        try (LoopbackTlsServer server = serve(ca.issue(localhostRequest().build()))) {
            VerifyingSocketFactory factory = VerifyingSocketFactory.trusting(trustStore);
            try (SSLSocket socket = (SSLSocket) factory.createSocket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                assertThat(socket.getSession().getPeerHost()).isEqualTo("127.0.0.1");
            }
        }
    }

    private static ServerCertificateRequest.Builder localhostRequest() {
        return ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1");
    }

    private LoopbackTlsServer serve(IssuedCertificate certificate) throws Exception {
        Path keyStore = Pkcs12KeyStores.write(certificate, dir.resolve("server.p12"), "server", PASSWORD);
        return LoopbackTlsServer.start(keyStore, PASSWORD);
    }

    /**
     * Connects over TCP to 127.0.0.1, then layers TLS on top while telling the client the server is {@code peerName}: SNI
     * and host name verification both use that name, whatever address we actually connected to.
     */
    private static String connect(LoopbackTlsServer server, String peerName, KeyStore trust) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.port());
        plain.setSoTimeout(10_000);
        try (SSLSocket socket = (SSLSocket) TrustStores.clientContext(trust).getSocketFactory()
            .createSocket(plain, peerName, server.port(), true)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return new String(socket.getInputStream().readNBytes(LoopbackTlsServer.GREETING.length()), StandardCharsets.US_ASCII);
        }
    }
}
