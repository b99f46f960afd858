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
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The "Client" (outbound) proxy action through the IMAP relay. */
class ImapClientActionTest {
    private static final String NAME = "imap.upstream.test";

    private final ClientActionPki pki = ClientActionPki.shared();
    private ImapProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new ImapProxyFixture().withClientAction(pki.hostCertificates(), ClientActionPki.LOOPBACK_RESOLVER);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private FakeImapUpstream startSniRouted(String tlsAction) throws Exception {
        FakeImapUpstream upstream = fixture.implicitTlsUpstream(pki.upstreamContext());
        fixture.start(policy("imapproxy", "required",
                "<tls>implicit</tls><port>${upstreamPort}</port><trustStore>" + pki.publicCaUrl() + "</trustStore>",
                "<routing>sni</routing><allowedDestinations><destination>imap.upstream.test</destination></allowedDestinations>"
                    + tlsAction),
            upstream.port(), MessageInspector.PASS_THROUGH);
        return upstream;
    }

    @Test
    void sniRoutedClientShouldSeeACertificateMintedForTheUpstreamNameAndReachTheUpstream() throws Exception {
        FakeImapUpstream upstream = startSniRouted("");

        ImapTestClient client = fixture.register(ImapTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingProxyAuthority(), NAME));

        X509Certificate presented = peerCertificate((SSLSocket) client.socket());
        assertThat(presented.getIssuerX500Principal().getName()).isEqualTo(ClientActionPki.PROXY_AUTHORITY_DN);
        assertMintedFor(presented, NAME);
        assertThat(client.readLine()).startsWith("* OK");
        assertThat(client.sendLine("a LOGIN user secret").readLine()).startsWith("a OK");
        assertThat(upstream.receivedCommand("LOGIN")).isTrue();
    }

    @Test
    void nameOutsideTheAllowListShouldBeRefused() throws Exception {
        FakeImapUpstream upstream = startSniRouted("");

        // Matches *.upstream.test (resolvable) but is not on this policy's list.
        assertThatThrownBy(() -> ImapTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingProxyAuthority(), "other.upstream.test"))
            .isInstanceOf(SSLException.class);
        assertThat(upstream.acceptedConnections()).isZero();
    }

    @Test
    void allowShouldShowTheUpstreamsOwnCertificate() throws Exception {
        FakeImapUpstream upstream = startSniRouted("<tlsAction><default>allow</default></tlsAction>");

        ImapTestClient client = fixture.register(ImapTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingPublicCa(), NAME));

        assertThat(peerCertificate((SSLSocket) client.socket()).getIssuerX500Principal().getName())
            .isEqualTo(ClientActionPki.PUBLIC_CA_DN);
        assertThat(client.readLine()).startsWith("* OK");
        assertThat(client.sendLine("a LOGIN user secret").readLine()).startsWith("a OK");
        assertThat(upstream.receivedCommand("LOGIN")).isTrue();
    }

    @Test
    void sniRoutingOnTheStartTlsPortShouldRouteByTheNameOfTheHandshakeAfterStartTls() throws Exception {
        FakeImapUpstream upstream = fixture.upstream().startTlsContext(pki.upstreamContext());
        fixture.start(policy("imapproxy", "enabled",
                "<tls>starttls</tls><port>${upstreamPort}</port><trustStore>" + pki.publicCaUrl() + "</trustStore>",
                "<routing>sni</routing><allowedDestinations><destination>imap.upstream.test</destination></allowedDestinations>"),
            upstream.port(), MessageInspector.PASS_THROUGH);
        ImapTestClient client = fixture.plainClient();

        assertThat(client.readLine()).startsWith("* OK").contains("STARTTLS");
        assertThat(client.sendLine("a LOGIN user secret").readLine()).startsWith("a NO [PRIVACYREQUIRED]");
        assertThat(client.sendLine("b STARTTLS").readLine()).startsWith("b OK");
        client.startTls(pki.clientTrustingProxyAuthority(), NAME);

        assertMintedFor(peerCertificate((SSLSocket) client.socket()), NAME);
        assertThat(client.sendLine("c CAPABILITY").readUntilTagged("c")).last().asString().startsWith("c OK");
        assertThat(client.sendLine("d LOGIN user secret").readLine()).startsWith("d OK");
        assertThat(upstream.receivedCommand("STARTTLS")).isTrue();
        assertThat(upstream.receivedCommand("LOGIN")).isTrue();
    }
}
