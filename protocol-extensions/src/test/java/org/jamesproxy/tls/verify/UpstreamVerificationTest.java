package org.jamesproxy.tls.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.config.TlsProfile.FailureAction;
import org.jamesproxy.config.TlsProfile.OcspMode;
import org.jamesproxy.tls.NettyTlsServer;
import org.jamesproxy.tls.UpstreamTlsContext;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.SelfSignedCertificates;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.TrustStores;
import org.jamesproxy.tls.pki.Validity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;

/** The upstream leg through UpstreamTlsContext's handlers, against real TLS servers and a real OCSP responder. */
class UpstreamVerificationTest {
    private static final String HOST = "imap.example.com";
    private static final CertificateAuthority UPSTREAM_CA = CertificateAuthority.create("CN=Upstream CA");
    private static EventLoopGroup clientGroup;

    @BeforeAll
    static void startClients() {
        clientGroup = new NioEventLoopGroup(1);
    }

    @AfterAll
    static void stopClients() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static final class Outcome {
        final boolean success;
        final Throwable cause;
        final CertificateVerdict verdict;

        Outcome(boolean success, Throwable cause, CertificateVerdict verdict) {
            this.success = success;
            this.cause = cause;
            this.verdict = verdict;
        }

        String failure() {
            StringBuilder messages = new StringBuilder();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append(" / ");
            }
            return messages.toString();
        }
    }

    private static TlsProfile profile(OcspMode ocsp, FailureAction action) {
        return TlsProfile.CLIENT_STANDARD_PROFILE.withValidation(true, ocsp, Optional.empty(), action, action, action, action);
    }

    static Outcome handshake(IssuedCertificate serverCertificate, TlsProfile profile, String host) throws Exception {
        return handshake(serverCertificate, profile, host, TrustStores.of(UPSTREAM_CA));
    }

    static Outcome handshake(IssuedCertificate serverCertificate, TlsProfile profile, String host, KeyStore trustStore) throws Exception {
        SslContext serverContext = SslContextBuilder.forServer(serverCertificate.privateKey(), serverCertificate.chainArray()).build();
        UpstreamTlsContext upstream = new UpstreamTlsContext(UpstreamTlsContext.context(trustStore, profile), profile, host, 993);
        try (NettyTlsServer server = NettyTlsServer.start(channel -> serverContext.newHandler(channel.alloc()))) {
            SslHandler[] handler = new SslHandler[1];
            Channel channel = new Bootstrap().group(clientGroup).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        handler[0] = upstream.newHandler(ch.alloc(), host, server.port());
                        ch.pipeline().addLast(handler[0]);
                    }
                })
                .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port())).sync().channel();
            Future<Channel> done = handler[0].handshakeFuture().await();
            CertificateVerdict verdict = done.isSuccess()
                ? (CertificateVerdict) handler[0].engine().getSession().getValue(CertificateVerdict.SESSION_KEY)
                : null;
            channel.close().sync();
            return new Outcome(done.isSuccess(), done.cause(), verdict);
        }
    }

    private static ServerCertificateRequest.Builder request() {
        return ServerCertificateRequest.forNames(HOST).validFor(Duration.ofDays(30));
    }

    @Test
    void aValidCertificateIsTrusted() throws Exception {
        Outcome outcome = handshake(UPSTREAM_CA.issue(request().build()), TlsProfile.CLIENT_STANDARD_PROFILE, HOST);

        assertThat(outcome.success).isTrue();
        assertThat(outcome.verdict.describe()).isEqualTo("trusted");
    }

    @Test
    void anExpiredCertificateIsDeniedOrAllowedPerProfile() throws Exception {
        IssuedCertificate expired = UPSTREAM_CA.issue(request()
            .validity(Validity.between(Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)))).build());

        Outcome denied = handshake(expired, profile(OcspMode.OFF, FailureAction.DENY), HOST);
        Outcome allowed = handshake(expired, profile(OcspMode.OFF, FailureAction.ALLOW_WITH_WARNING), HOST);

        assertThat(denied.success).isFalse();
        assertThat(denied.failure()).contains("denied [expired");
        assertThat(allowed.success).isTrue();
        assertThat(allowed.verdict.describe()).startsWith("allowed-with-warning [expired");
        assertThat(allowed.verdict.getFailures()).containsOnlyKeys(TlsProfile.FailureKind.EXPIRED);
    }

    @Test
    void aSelfSignedCertificateIsUntrusted() throws Exception {
        IssuedCertificate selfSigned = SelfSignedCertificates.issue(request().build());

        Outcome denied = handshake(selfSigned, TlsProfile.CLIENT_STANDARD_PROFILE, HOST);
        Outcome allowed = handshake(selfSigned, profile(OcspMode.OFF, FailureAction.ALLOW_WITH_WARNING), HOST);

        assertThat(denied.success).isFalse();
        assertThat(denied.failure()).contains("denied [untrusted");
        assertThat(allowed.success).isTrue();
        assertThat(allowed.verdict.getFailures()).containsOnlyKeys(TlsProfile.FailureKind.UNTRUSTED);
    }

    @Test
    void aCertificateForAnotherHostIsAHostMismatch() throws Exception {
        IssuedCertificate other = UPSTREAM_CA.issue(ServerCertificateRequest.forNames("smtp.example.net").build());

        Outcome denied = handshake(other, TlsProfile.CLIENT_STANDARD_PROFILE, HOST);
        Outcome allowed = handshake(other, TlsProfile.CLIENT_STANDARD_PROFILE.withValidation(true, OcspMode.OFF, Optional.empty(),
            FailureAction.DENY, FailureAction.DENY, FailureAction.ALLOW_WITH_WARNING, FailureAction.DENY), HOST);

        assertThat(denied.success).isFalse();
        assertThat(denied.failure()).contains("denied [host-mismatch: '" + HOST + "'");
        assertThat(allowed.success).isTrue();
        assertThat(allowed.verdict.getFailures()).containsOnlyKeys(TlsProfile.FailureKind.HOST_MISMATCH);
    }

    @Test
    void validateCertificateFalseAllowsEverythingButStillReportsIt() throws Exception {
        IssuedCertificate selfSigned = SelfSignedCertificates.issue(ServerCertificateRequest.forNames("other.example").build());
        TlsProfile unchecked = TlsProfile.CLIENT_STANDARD_PROFILE.withValidation(false, OcspMode.OFF, Optional.empty(),
            FailureAction.DENY, FailureAction.DENY, FailureAction.DENY, FailureAction.DENY);

        Outcome outcome = handshake(selfSigned, unchecked, HOST);

        assertThat(outcome.success).isTrue();
        assertThat(outcome.verdict.getFailures()).containsOnlyKeys(TlsProfile.FailureKind.UNTRUSTED, TlsProfile.FailureKind.HOST_MISMATCH);
    }

    @Nested
    class Ocsp {
        private TestOcspResponder responder;

        @org.junit.jupiter.api.BeforeEach
        void start() throws Exception {
            responder = TestOcspResponder.start(UPSTREAM_CA);
        }

        @org.junit.jupiter.api.AfterEach
        void stop() {
            responder.close();
        }

        private IssuedCertificate revokedCertificate() {
            IssuedCertificate certificate = UPSTREAM_CA.issue(request().ocspResponder(responder.url()).build());
            responder.revoke(certificate.certificate().getSerialNumber());
            return certificate;
        }

        @Test
        void aRevokedCertificatePassesWithOcspOff() throws Exception {
            Outcome outcome = handshake(revokedCertificate(), profile(OcspMode.OFF, FailureAction.DENY), HOST);

            assertThat(outcome.success).isTrue();
            assertThat(responder.requests()).isZero();
        }

        @Test
        void aRevokedCertificateIsDeniedWithSoftFail() throws Exception {
            Outcome outcome = handshake(revokedCertificate(), profile(OcspMode.SOFT_FAIL, FailureAction.DENY), HOST);

            assertThat(outcome.success).isFalse();
            assertThat(outcome.failure()).contains("denied [revoked");
            assertThat(responder.requests()).isPositive();
        }

        @Test
        void aRevokedCertificateIsDeniedWithHardFail() throws Exception {
            Outcome outcome = handshake(revokedCertificate(), profile(OcspMode.HARD_FAIL, FailureAction.DENY), HOST);

            assertThat(outcome.success).isFalse();
            assertThat(outcome.failure()).contains("denied [revoked");
        }

        @Test
        void aRevokedCertificateCanBeAllowedWithWarning() throws Exception {
            TlsProfile lenient = TlsProfile.CLIENT_STANDARD_PROFILE.withValidation(true, OcspMode.HARD_FAIL, Optional.empty(),
                FailureAction.DENY, FailureAction.DENY, FailureAction.DENY, FailureAction.ALLOW_WITH_WARNING);

            Outcome outcome = handshake(revokedCertificate(), lenient, HOST);

            assertThat(outcome.success).isTrue();
            assertThat(outcome.verdict.getFailures()).containsOnlyKeys(TlsProfile.FailureKind.REVOKED);
        }

        @Test
        void aGoodCertificateIsTrustedWithHardFail() throws Exception {
            IssuedCertificate good = UPSTREAM_CA.issue(request().ocspResponder(responder.url()).build());

            Outcome outcome = handshake(good, profile(OcspMode.HARD_FAIL, FailureAction.DENY), HOST);

            assertThat(outcome.success).isTrue();
            assertThat(outcome.verdict.describe()).isEqualTo("trusted (ocsp good)");
            assertThat(responder.requests()).isPositive();
        }

        @Test
        void theProfilesResponderOverridesTheMissingAia() throws Exception {
            IssuedCertificate withoutAia = UPSTREAM_CA.issue(request().build());
            responder.revoke(withoutAia.certificate().getSerialNumber());
            TlsProfile overriding = TlsProfile.CLIENT_STANDARD_PROFILE.withValidation(true, OcspMode.HARD_FAIL,
                Optional.of(URI.create(responder.url())), FailureAction.DENY, FailureAction.DENY, FailureAction.DENY, FailureAction.DENY);

            Outcome outcome = handshake(withoutAia, overriding, HOST);

            assertThat(outcome.success).isFalse();
            assertThat(outcome.failure()).contains("denied [revoked");
        }

        @Test
        void anUnreachableResponderPassesWithSoftFailAndFailsWithHardFail() throws Exception {
            int closedPort;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            IssuedCertificate certificate = UPSTREAM_CA.issue(request().ocspResponder("http://127.0.0.1:" + closedPort + "/ocsp").build());

            Outcome soft = handshake(certificate, profile(OcspMode.SOFT_FAIL, FailureAction.DENY), HOST);
            Outcome hard = handshake(certificate, profile(OcspMode.HARD_FAIL, FailureAction.DENY), HOST);

            assertThat(soft.success).isTrue();
            assertThat(soft.verdict.describe()).startsWith("trusted (ocsp soft-fail");
            assertThat(hard.success).isFalse();
            assertThat(hard.failure()).contains("revocation status unknown");
        }
    }
}
