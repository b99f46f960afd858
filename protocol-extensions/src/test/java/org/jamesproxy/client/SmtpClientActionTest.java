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
import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The "Client" (outbound) proxy action through the SMTP relay. */
class SmtpClientActionTest {
    private static final String NAME = "smtp.upstream.test";

    private final ClientActionPki pki = ClientActionPki.shared();
    private SmtpProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new SmtpProxyFixture().withClientAction(pki.hostCertificates(), ClientActionPki.LOOPBACK_RESOLVER);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private String trust() {
        return "<trustStore>" + pki.publicCaUrl() + "</trustStore>";
    }

    @Test
    void sniRoutedImplicitTlsClientShouldSeeAMintedCertificateAndSubmitThroughTheUpstream() throws Exception {
        FakeSmtpUpstream upstream = fixture.implicitTlsUpstream(pki.upstreamContext());
        fixture.start(policy("smtpproxy", "required", "<tls>implicit</tls><port>${upstreamPort}</port>" + trust(),
                "<routing>sni</routing><allowedDestinations><destination>*.upstream.test</destination></allowedDestinations>"),
            upstream.port(), MessageInspector.PASS_THROUGH);

        SmtpTestClient client = fixture.register(SmtpTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingProxyAuthority(), NAME));

        X509Certificate presented = peerCertificate((SSLSocket) client.socket());
        assertThat(presented.getIssuerX500Principal().getName()).isEqualTo(ClientActionPki.PROXY_AUTHORITY_DN);
        assertMintedFor(presented, NAME);
        client.greetAndEhlo();
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(upstream.receivedCommand("MAIL")).isTrue();
    }

    @Test
    void unresolvableDestinationShouldBeRefused() throws Exception {
        FakeSmtpUpstream upstream = fixture.implicitTlsUpstream(pki.upstreamContext());
        fixture.start(policy("smtpproxy", "required", "<tls>implicit</tls><port>${upstreamPort}</port>" + trust(),
                "<routing>sni</routing><allowedDestinations><destination>*</destination></allowedDestinations>"),
            upstream.port(), MessageInspector.PASS_THROUGH);

        assertThatThrownBy(() -> SmtpTestClient.connectTls(fixture.tlsPort(), pki.clientTrustingProxyAuthority(), "smtp.nowhere.example"))
            .isInstanceOf(SSLException.class);
        assertThat(upstream.receivedCommand("EHLO")).isFalse();
    }

    @Test
    void fixedRoutingOnTheSubmissionPortShouldMintForTheUpstreamAfterItsStartTls() throws Exception {
        FakeSmtpUpstream upstream = fixture.upstream().startTlsContext(pki.upstreamContext());
        fixture.start(policy("smtpproxy", "enabled",
                "<host>" + NAME + "</host><tls>starttls</tls><port>${upstreamPort}</port>" + trust(), "<routing>fixed</routing>"),
            upstream.port(), MessageInspector.PASS_THROUGH);
        SmtpTestClient client = fixture.plainClient();

        assertThat(client.greetAndEhlo()).anyMatch(line -> line.contains("STARTTLS"));
        assertThat(client.command("STARTTLS")).startsWith("220");
        client.startTls(pki.clientTrustingProxyAuthority(), NAME);

        X509Certificate presented = peerCertificate((SSLSocket) client.socket());
        assertThat(presented.getIssuerX500Principal().getName()).isEqualTo(ClientActionPki.PROXY_AUTHORITY_DN);
        assertMintedFor(presented, NAME);
        client.sendLine("EHLO client.test");
        assertThat(client.readReply()).isNotEmpty();
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(upstream.receivedCommand("STARTTLS")).isTrue();
    }

    @Test
    void sniRoutingOnTheSubmissionPortShouldRouteByTheNameOfTheHandshakeAfterStartTls() throws Exception {
        FakeSmtpUpstream upstream = fixture.upstream().startTlsContext(pki.upstreamContext());
        fixture.start(policy("smtpproxy", "enabled", "<tls>starttls</tls><port>${upstreamPort}</port>" + trust(),
                "<routing>sni</routing><allowedDestinations><destination>*.upstream.test</destination></allowedDestinations>"),
            upstream.port(), MessageInspector.PASS_THROUGH);
        SmtpTestClient client = fixture.plainClient();

        assertThat(client.greetAndEhlo()).anyMatch(line -> line.contains("STARTTLS"));
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("530 5.7.0");
        assertThat(client.command("STARTTLS")).startsWith("220");
        client.startTls(pki.clientTrustingProxyAuthority(), NAME);

        assertMintedFor(peerCertificate((SSLSocket) client.socket()), NAME);
        client.sendLine("EHLO client.test");
        assertThat(client.readReply()).first().asString().startsWith("250");
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(upstream.receivedCommand("STARTTLS")).isTrue();
        assertThat(upstream.receivedCommand("MAIL")).isTrue();
    }

    @Test
    void allowOnTheSubmissionPortShouldSpliceTheClientsTlsAfterTheUpstreamsEhloAndStartTls() throws Exception {
        FakeSmtpUpstream upstream = fixture.upstream().startTlsContext(pki.upstreamContext());
        fixture.start(policy("smtpproxy", "enabled", "<tls>starttls</tls><port>${upstreamPort}</port>" + trust(),
                "<routing>sni</routing><allowedDestinations><destination>*.upstream.test</destination></allowedDestinations>"
                    + "<tlsAction><default>inspect</default><domain pattern=\"smtp.upstream.test\">allow</domain></tlsAction>"),
            upstream.port(), MessageInspector.PASS_THROUGH);
        SmtpTestClient client = fixture.plainClient();

        client.greetAndEhlo();
        assertThat(client.command("STARTTLS")).startsWith("220");
        client.startTls(pki.clientTrustingPublicCa(), NAME);

        assertThat(peerCertificate((SSLSocket) client.socket()).getIssuerX500Principal().getName())
            .isEqualTo(ClientActionPki.PUBLIC_CA_DN);
        client.sendLine("EHLO client.test");
        assertThat(client.readReply()).first().asString().startsWith("250");
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(upstream.receivedCommand("MAIL")).isTrue();
    }
}
