package org.jamesproxy.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jamesproxy.testing.Pop3ProxyFixture.implicitTlsUpstreamXml;
import static org.jamesproxy.testing.Pop3ProxyFixture.policy;
import static org.jamesproxy.testing.Pop3ProxyFixture.starttlsUpstreamXml;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.jamesproxy.testing.TestPki;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's leg to the real POP3 server: STLS toward it, certificate checks, and a hostile or absent upstream. */
class Pop3ProxyUpstreamLegTest {
    private static final String UNAVAILABLE = "-ERR [SYS/TEMP]";

    private Pop3ProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new Pop3ProxyFixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private void assertRefused(FakePop3Upstream upstream) throws Exception {
        String received = fixture.tlsClient().readUntilClosed();

        assertThat(received).startsWith(UNAVAILABLE).doesNotContain("+OK");
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
        assertThat(upstream.receivedCommand("USER")).isFalse();
        assertThat(fixture.metrics().countFor("pop3proxy-upstream-failures")).isEqualTo(1);
    }

    @Test
    void stlsUpstreamShouldBeUsableAndItsCapabilitiesRelearntOverTls() throws Exception {
        FakePop3Upstream upstream = fixture.starttlsUpstream()
            .tlsCapabilities(List.of("TOP", "USER", "SASL PLAIN", "UIDL"));
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);
        ImapTestClient client = fixture.tlsClient();

        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.sendLine("CAPA").readLine()).startsWith("+OK");
        assertThat(Pop3Responses.readListing(client)).containsExactly("TOP", "USER", "SASL PLAIN", "UIDL", "PIPELINING");
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(upstream.receivedLines()).containsExactly("CAPA", "STLS", "CAPA", "CAPA", "USER alice");
    }

    @Test
    void implicitTlsUpstreamShouldBeUsableWhenItsCertificateIsValid() throws Exception {
        FakePop3Upstream upstream = fixture.implicitTlsUpstream(TestPki.serverContext(fixture.pki().upstreamCertificate()));
        fixture.start(policy("enabled", implicitTlsUpstreamXml(), ""), upstream);
        ImapTestClient client = fixture.tlsClient();

        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
    }

    @Test
    void clientShouldGetTheTemporaryErrorWhenTheUpstreamAppendsBytesToItsStlsGoAhead() throws Exception {
        FakePop3Upstream upstream = fixture.starttlsUpstream().stlsInjection("+OK injected\r\n");
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
    }

    @Test
    void clientShouldGetTheTemporaryErrorWhenTheUpstreamRefusesStls() throws Exception {
        FakePop3Upstream upstream = fixture.starttlsUpstream().refuseStls();
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
    }

    @Test
    void clientShouldGetTheTemporaryErrorWhenTheUpstreamDoesNotOfferStls() throws Exception {
        FakePop3Upstream upstream = fixture.starttlsUpstream().capabilities(List.of("TOP", "USER", "UIDL"));
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
        assertThat(upstream.receivedCommand("STLS")).isFalse();
    }

    @Test
    void clientShouldGetTheTemporaryErrorWhenTheUpstreamCertificateNamesAnotherHost() throws Exception {
        assertBadCertificateRefused(fixture.pki().wrongHostCertificate());
    }

    @Test
    void clientShouldGetTheTemporaryErrorWhenTheUpstreamCertificateIsSelfSigned() throws Exception {
        assertBadCertificateRefused(fixture.pki().selfSignedCertificate());
    }

    @Test
    void clientShouldGetTheTemporaryErrorWhenTheUpstreamCertificateExpired() throws Exception {
        assertBadCertificateRefused(fixture.pki().expiredCertificate());
    }

    private void assertBadCertificateRefused(IssuedCertificate certificate) throws Exception {
        FakePop3Upstream upstream = fixture.upstream().stlsContext(TestPki.serverContext(certificate));
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
    }

    @Test
    void implicitTlsUpstreamWithBadCertificateShouldBeRefused() throws Exception {
        FakePop3Upstream upstream = fixture.implicitTlsUpstream(TestPki.serverContext(fixture.pki().wrongHostCertificate()));
        fixture.start(policy("enabled", implicitTlsUpstreamXml(), ""), upstream);

        assertThat(fixture.tlsClient().readUntilClosed()).startsWith(UNAVAILABLE);
    }

    @Test
    void clientShouldGetTheTemporaryErrorQuicklyWhenTheUpstreamIsDown() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        fixture.start(policy(""), closedPort, MessageInspector.PASS_THROUGH);
        long start = System.nanoTime();

        String received = fixture.tlsClient().readUntilClosed();

        assertThat(received).startsWith(UNAVAILABLE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void clientShouldGetTheTemporaryErrorWhenTheUpstreamGreetsWithAnError() throws Exception {
        FakePop3Upstream upstream = fixture.upstream().greeting("-ERR too busy");
        fixture.start(policy(""), upstream);

        assertThat(fixture.tlsClient().readUntilClosed()).startsWith(UNAVAILABLE);
    }
}
