package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jamesproxy.testing.ImapProxyFixture.implicitTlsUpstreamXml;
import static org.jamesproxy.testing.ImapProxyFixture.policy;
import static org.jamesproxy.testing.ImapProxyFixture.starttlsUpstreamXml;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.TestPki;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's leg to the real server: STARTTLS toward it, certificate checks, and the faults of a hostile upstream. */
class ImapProxyUpstreamLegTest {
    private static final String UNAVAILABLE = "* BYE [UNAVAILABLE]";

    private ImapProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new ImapProxyFixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    /** Connects a client (implicit TLS port) and returns everything it got until the proxy closed. */
    private String clientSessionUntilClosed() throws Exception {
        ImapTestClient client = fixture.tlsClient();
        return client.readUntilClosed();
    }

    private void assertRefused(FakeImapUpstream upstream) throws Exception {
        String received = clientSessionUntilClosed();

        assertThat(received).startsWith(UNAVAILABLE);
        assertThat(received).doesNotContain("* OK");
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
        assertThat(upstream.receivedCommand("LOGIN")).isFalse();
        assertThat(fixture.metrics().countFor("imapproxy-upstream-failures")).isEqualTo(1);
    }

    @Test
    void starttlsUpstreamShouldBeUsableWhenEverythingIsRight() throws Exception {
        FakeImapUpstream upstream = fixture.starttlsUpstream();
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);
        ImapTestClient client = fixture.tlsClient();

        assertThat(client.readLine()).startsWith("* OK");
        assertThat(client.sendLine("a LOGIN user secret").readLine()).startsWith("a OK");
        assertThat(upstream.receivedLines()).containsExactly("JMP1 STARTTLS", "JMP2 CAPABILITY", "a LOGIN user secret");
    }

    @Test
    void implicitTlsUpstreamShouldBeUsableWhenItsCertificateIsValid() throws Exception {
        FakeImapUpstream upstream = fixture.implicitTlsUpstream(TestPki.serverContext(fixture.pki().upstreamCertificate()));
        fixture.start(policy("enabled", implicitTlsUpstreamXml(), ""), upstream);
        ImapTestClient client = fixture.tlsClient();

        assertThat(client.readLine()).startsWith("* OK");
        assertThat(client.sendLine("a LOGIN user secret").readLine()).startsWith("a OK");
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamAppendsBytesToItsStartTlsGoAhead() throws Exception {
        FakeImapUpstream upstream = fixture.starttlsUpstream()
            .startTlsInjection("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n");
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamGreetsWithPreauth() throws Exception {
        FakeImapUpstream upstream = fixture.starttlsUpstream().greeting("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome");
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
        assertThat(upstream.receivedCommand("STARTTLS")).isFalse();
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamGreetsWithBye() throws Exception {
        FakeImapUpstream upstream = fixture.upstream().greeting("* BYE too busy");
        fixture.start(policy(""), upstream);

        assertRefused(upstream);
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamDoesNotOfferStartTls() throws Exception {
        FakeImapUpstream upstream = fixture.starttlsUpstream()
            .greeting("* OK upstream ready")
            .capabilities("IMAP4rev1 AUTH=PLAIN");
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
        assertThat(upstream.receivedLines()).containsExactly("JMP0 CAPABILITY");
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamRefusesStartTlsWithNo() throws Exception {
        FakeImapUpstream upstream = fixture.starttlsUpstream().startTlsAnswer(FakeImapUpstream.StartTlsAnswer.NO);
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamRefusesStartTlsWithBad() throws Exception {
        FakeImapUpstream upstream = fixture.starttlsUpstream().startTlsAnswer(FakeImapUpstream.StartTlsAnswer.BAD);
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamCertificateNamesAnotherHost() throws Exception {
        assertStartTlsCertificateRefused(fixture.pki().wrongHostCertificate());
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamCertificateIsSelfSigned() throws Exception {
        assertStartTlsCertificateRefused(fixture.pki().selfSignedCertificate());
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamCertificateIsExpired() throws Exception {
        assertStartTlsCertificateRefused(fixture.pki().expiredCertificate());
    }

    private void assertStartTlsCertificateRefused(IssuedCertificate certificate) throws Exception {
        FakeImapUpstream upstream = fixture.upstream().startTlsContext(TestPki.serverContext(certificate));
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
        assertThat(upstream.receivedLines()).containsExactly("JMP1 STARTTLS");
    }

    @Test
    void clientShouldGetByeWhenTheImplicitTlsUpstreamCertificateNamesAnotherHost() throws Exception {
        FakeImapUpstream upstream = fixture.implicitTlsUpstream(TestPki.serverContext(fixture.pki().wrongHostCertificate()));
        fixture.start(policy("enabled", implicitTlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
        assertThat(upstream.receivedLines()).isEmpty();
    }

    @Test
    void clientShouldGetByeQuicklyWhenTheUpstreamIsDown() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        fixture.start(policy(""), closedPort, MessageInspector.PASS_THROUGH);
        long start = System.nanoTime();

        String received = clientSessionUntilClosed();

        assertThat(received).startsWith(UNAVAILABLE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void clientShouldSeeOnlyTheCapabilitiesLearntOverTls() throws Exception {
        FakeImapUpstream upstream = fixture.starttlsUpstream()
            .greeting("* OK [CAPABILITY IMAP4rev1 STARTTLS MOVE QUOTA AUTH=PLAIN] before TLS")
            .tlsCapabilities("IMAP4rev1 IDLE NAMESPACE AUTH=XOAUTH2");
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);
        ImapTestClient client = fixture.tlsClient();

        String greeting = client.readLine();

        int start = greeting.indexOf("[CAPABILITY ") + "[CAPABILITY ".length();
        List<String> capabilities = List.of(greeting.substring(start, greeting.indexOf(']')).split(" "));
        assertThat(capabilities).contains("IMAP4rev1", "IDLE", "NAMESPACE", "AUTH=XOAUTH2")
            .doesNotContain("MOVE", "QUOTA", "AUTH=PLAIN", "STARTTLS");
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamSendsAnOverlongLine() throws Exception {
        FakeImapUpstream upstream = fixture.upstream().greeting("* OK " + "x".repeat(3000));
        fixture.start(policy("<limits><maxUpstreamLineLength>1K</maxUpstreamLineLength></limits>"), upstream);

        assertRefused(upstream);
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamDropsTheConnectionAfterTheGreeting() throws Exception {
        FakeImapUpstream upstream = fixture.upstream();
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.tlsClient();
        assertThat(client.readLine()).startsWith("* OK");

        upstream.close();

        assertThat(client.readUntilClosed()).startsWith(UNAVAILABLE);
    }
}
