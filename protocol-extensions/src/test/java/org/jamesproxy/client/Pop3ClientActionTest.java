package org.jamesproxy.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jamesproxy.client.ClientActionPki.assertMintedFor;
import static org.jamesproxy.client.ClientActionPki.peerCertificate;
import static org.jamesproxy.client.ClientActionPki.policy;

import java.security.cert.X509Certificate;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.jamesproxy.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The "Client" (outbound) proxy action through the POP3 relay: SNI routing, minted certificates, allow, drop, refusals. */
class Pop3ClientActionTest {
    private static final String NAME = "pop3.upstream.test";

    private final ClientActionPki pki = ClientActionPki.shared();
    private Pop3ProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new Pop3ProxyFixture().withClientAction(pki.hostCertificates(), ClientActionPki.LOOPBACK_RESOLVER);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private String implicitUpstream() {
        return "<tls>implicit</tls><port>${upstreamPort}</port><trustStore>" + pki.publicCaUrl() + "</trustStore>";
    }

    private static String sniRouting(String tlsAction) {
        return "<routing>sni</routing><allowedDestinations><destination>*.upstream.test</destination></allowedDestinations>"
            + tlsAction;
    }

    private FakePop3Upstream startSniRouted(String tlsAction) throws Exception {
        FakePop3Upstream upstream = fixture.implicitTlsUpstream(pki.upstreamContext());
        fixture.start(policy("pop3proxy", "required", implicitUpstream(), sniRouting(tlsAction)), upstream.port(),
            MessageInspector.PASS_THROUGH);
        return upstream;
    }

    @Test
    void sniRoutedClientShouldSeeACertificateMintedForTheUpstreamNameAndReachTheUpstream() throws Exception {
        FakePop3Upstream upstream = startSniRouted("");

        ImapTestClient client = fixture.register(ImapTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingProxyAuthority(), NAME));

        X509Certificate presented = peerCertificate((SSLSocket) client.socket());
        assertThat(presented.getIssuerX500Principal().getName()).isEqualTo(ClientActionPki.PROXY_AUTHORITY_DN);
        assertMintedFor(presented, NAME);
        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(upstream.receivedCommand("USER")).isTrue();
    }

    @Test
    void destinationOutsideTheAllowListShouldBeRefusedWithoutContactingIt() throws Exception {
        FakePop3Upstream upstream = startSniRouted("");

        assertThatThrownBy(() -> ImapTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingProxyAuthority(), "pop3.elsewhere.test"))
            .isInstanceOf(SSLException.class);
        assertThat(upstream.acceptedConnections()).isZero();
    }

    @Test
    void clientWithoutSniShouldBeRefusedOnAnSniRoutedPort() throws Exception {
        FakePop3Upstream upstream = startSniRouted("");

        assertThatThrownBy(() -> ImapTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingProxyAuthority()))
            .isInstanceOf(SSLException.class);
        assertThat(upstream.acceptedConnections()).isZero();
    }

    @Test
    void upstreamWhoseCertificateIsNotTrustedShouldBeRefusedBeforeTheClientHandshakeCompletes() throws Exception {
        FakePop3Upstream upstream = fixture.implicitTlsUpstream(TestPki.serverContext(fixture.pki().upstreamCertificate()));
        fixture.start(policy("pop3proxy", "required", implicitUpstream(), sniRouting("")), upstream.port(),
            MessageInspector.PASS_THROUGH);

        assertThatThrownBy(() -> ImapTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingProxyAuthority(), NAME))
            .isInstanceOf(SSLException.class);
        assertThat(fixture.metrics().countFor("pop3proxy-upstream-failures")).isEqualTo(1);
    }

    @Test
    void allowShouldPassTheTlsStreamThroughUndecrypted() throws Exception {
        FakePop3Upstream upstream = startSniRouted("<tlsAction><default>inspect</default>"
            + "<domain pattern=\"pop3.upstream.test\">allow</domain></tlsAction>");

        // The client trusts only the public CA: it can only succeed if it talks TLS with the upstream itself.
        ImapTestClient client = fixture.register(ImapTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingPublicCa(), NAME));

        assertThat(peerCertificate((SSLSocket) client.socket()).getIssuerX500Principal().getName())
            .isEqualTo(ClientActionPki.PUBLIC_CA_DN);
        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(upstream.receivedCommand("USER")).isTrue();
    }

    @Test
    void dropShouldCloseWithoutContactingTheDestination() throws Exception {
        FakePop3Upstream upstream = startSniRouted("<tlsAction><default>drop</default></tlsAction>");

        assertThatThrownBy(() -> ImapTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingProxyAuthority(), NAME))
            .isInstanceOf(SSLException.class);
        assertThat(upstream.acceptedConnections()).isZero();
    }

    @Test
    void fixedRoutingOnTheStlsPortShouldPresentACertificateMintedForTheUpstreamName() throws Exception {
        FakePop3Upstream upstream = fixture.upstream().stlsContext(pki.upstreamContext());
        fixture.start(policy("pop3proxy", "enabled",
                "<host>" + NAME + "</host><tls>starttls</tls><port>${upstreamPort}</port><trustStore>" + pki.publicCaUrl() + "</trustStore>",
                "<routing>fixed</routing>"),
            upstream.port(), MessageInspector.PASS_THROUGH);
        ImapTestClient client = fixture.plainClient();

        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.sendLine("STLS").readLine()).startsWith("+OK");
        client.startTls(pki.clientTrustingProxyAuthority(), NAME);

        X509Certificate presented = peerCertificate((SSLSocket) client.socket());
        assertThat(presented.getIssuerX500Principal().getName()).isEqualTo(ClientActionPki.PROXY_AUTHORITY_DN);
        assertMintedFor(presented, NAME);
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
    }

    @Test
    void sniRoutingOnTheStlsPortShouldGreetThenRouteByTheNameOfTheHandshakeAfterStls() throws Exception {
        FakePop3Upstream upstream = fixture.upstream().stlsContext(pki.upstreamContext());
        fixture.start(policy("pop3proxy", "enabled",
                "<tls>starttls</tls><port>${upstreamPort}</port><trustStore>" + pki.publicCaUrl() + "</trustStore>",
                sniRouting("")),
            upstream.port(), MessageInspector.PASS_THROUGH);
        ImapTestClient client = fixture.plainClient();

        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.sendLine("USER alice").readLine()).startsWith("-ERR");
        assertThat(client.sendLine("STLS").readLine()).startsWith("+OK");
        assertThat(upstream.acceptedConnections()).isZero();
        client.startTls(pki.clientTrustingProxyAuthority(), NAME);

        X509Certificate presented = peerCertificate((SSLSocket) client.socket());
        assertThat(presented.getIssuerX500Principal().getName()).isEqualTo(ClientActionPki.PROXY_AUTHORITY_DN);
        assertMintedFor(presented, NAME);
        // No second greeting: after STLS the client speaks first.
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(upstream.receivedLines()).contains("STLS", "USER alice");
    }

    @Test
    void stlsWithPipelinedCommandsShouldBeRefusedOnAnSniRoutedPort() throws Exception {
        FakePop3Upstream upstream = fixture.upstream().stlsContext(pki.upstreamContext());
        fixture.start(policy("pop3proxy", "enabled",
                "<tls>starttls</tls><port>${upstreamPort}</port><trustStore>" + pki.publicCaUrl() + "</trustStore>",
                sniRouting("")),
            upstream.port(), MessageInspector.PASS_THROUGH);
        ImapTestClient client = fixture.plainClient();

        assertThat(client.readLine()).startsWith("+OK");
        client.send("STLS\r\nUSER alice\r\n");

        assertThat(client.readUntilClosed()).startsWith("-ERR").doesNotContain("+OK");
        assertThat(upstream.acceptedConnections()).isZero();
    }

    @Test
    void clientWithoutSniAfterStlsShouldBeRefused() throws Exception {
        FakePop3Upstream upstream = fixture.upstream().stlsContext(pki.upstreamContext());
        fixture.start(policy("pop3proxy", "enabled",
                "<tls>starttls</tls><port>${upstreamPort}</port><trustStore>" + pki.publicCaUrl() + "</trustStore>",
                sniRouting("")),
            upstream.port(), MessageInspector.PASS_THROUGH);
        ImapTestClient client = fixture.plainClient();

        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.sendLine("STLS").readLine()).startsWith("+OK");

        assertThatThrownBy(() -> client.startTls(pki.clientTrustingProxyAuthority())).isInstanceOf(SSLException.class);
        assertThat(upstream.acceptedConnections()).isZero();
    }

    @Test
    void allowOnTheStlsPortShouldSpliceTheClientsTlsOnceTheUpstreamAlsoSaidStls() throws Exception {
        FakePop3Upstream upstream = fixture.upstream().stlsContext(pki.upstreamContext());
        fixture.start(policy("pop3proxy", "enabled",
                "<tls>starttls</tls><port>${upstreamPort}</port><trustStore>" + pki.publicCaUrl() + "</trustStore>",
                sniRouting("<tlsAction><default>allow</default></tlsAction>")),
            upstream.port(), MessageInspector.PASS_THROUGH);
        ImapTestClient client = fixture.plainClient();

        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.sendLine("STLS").readLine()).startsWith("+OK");
        client.startTls(pki.clientTrustingPublicCa(), NAME);

        assertThat(peerCertificate((SSLSocket) client.socket()).getIssuerX500Principal().getName())
            .isEqualTo(ClientActionPki.PUBLIC_CA_DN);
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        // The proxy's own exchange toward the upstream was greeting + STLS only; the rest is the client's, in TLS.
        assertThat(upstream.receivedLines()).containsExactly("STLS", "USER alice");
    }

    @Test
    void fixedRoutingOnTheImplicitPortShouldMintForTheUpstreamNameWithoutSni() throws Exception {
        FakePop3Upstream upstream = fixture.implicitTlsUpstream(pki.upstreamContext());
        fixture.start(policy("pop3proxy", "required", "<host>" + NAME + "</host>" + implicitUpstream(), "<routing>fixed</routing>"),
            upstream.port(), MessageInspector.PASS_THROUGH);

        // No SNI: a fixed policy does not need it.
        ImapTestClient client = fixture.register(ImapTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingProxyAuthority()));

        X509Certificate presented = peerCertificate((SSLSocket) client.socket());
        assertThat(presented.getIssuerX500Principal().getName()).isEqualTo(ClientActionPki.PROXY_AUTHORITY_DN);
        assertMintedFor(presented, NAME);
        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
    }

    @Test
    void fixedRoutingWithAllowShouldSpliceTheWholeConnectionFromTheFirstByte() throws Exception {
        FakePop3Upstream upstream = fixture.upstream().stlsContext(pki.upstreamContext());
        fixture.start(policy("pop3proxy", "enabled",
                "<host>" + NAME + "</host><tls>starttls</tls><port>${upstreamPort}</port><trustStore>" + pki.publicCaUrl() + "</trustStore>",
                "<tlsAction><default>allow</default></tlsAction>"),
            upstream.port(), MessageInspector.PASS_THROUGH);
        ImapTestClient client = fixture.plainClient();

        // The upstream's own greeting and STLS: the proxy speaks no POP3 on this connection.
        assertThat(client.readLine()).startsWith("+OK Fake POP3 ready");
        assertThat(client.sendLine("STLS").readLine()).startsWith("+OK");
        client.startTls(pki.clientTrustingPublicCa(), NAME);

        assertThat(peerCertificate((SSLSocket) client.socket()).getIssuerX500Principal().getName())
            .isEqualTo(ClientActionPki.PUBLIC_CA_DN);
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(upstream.receivedLines()).containsExactly("STLS", "USER alice");
    }

    @Test
    void fixedRoutingWithDropShouldSayWhyOnThePlainPort() throws Exception {
        FakePop3Upstream upstream = fixture.upstream();
        fixture.start(policy("pop3proxy", "enabled",
                "<host>" + NAME + "</host><tls>starttls</tls><port>${upstreamPort}</port><trustStore>" + pki.publicCaUrl() + "</trustStore>",
                "<tlsAction><default>drop</default></tlsAction>"),
            upstream.port(), MessageInspector.PASS_THROUGH);

        assertThat(fixture.plainClient().readUntilClosed()).startsWith("-ERR").contains("refused");
        assertThat(upstream.acceptedConnections()).isZero();
    }

    @Test
    void allowShouldCarryALargeMessageWholeThroughTheSplice() throws Exception {
        StringBuilder body = new StringBuilder("Subject: big\r\n\r\n");
        for (int line = 0; body.length() < 4 * 1024 * 1024; line++) {
            body.append("line ").append(line).append(" of a message that crosses the splice in many reads\r\n");
        }
        byte[] content = body.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        FakePop3Upstream upstream = startSniRouted("<tlsAction><default>allow</default></tlsAction>").message(1, content);
        ImapTestClient client = fixture.register(ImapTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingPublicCa(), NAME));
        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(client.sendLine("PASS " + FakePop3Upstream.PASSWORD).readLine()).startsWith("+OK");

        assertThat(client.sendLine("RETR 1").readLine()).startsWith("+OK");
        byte[] received = client.readBytes(content.length + ".\r\n".length());

        assertThat(new String(received, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(body + ".\r\n");
    }
}
