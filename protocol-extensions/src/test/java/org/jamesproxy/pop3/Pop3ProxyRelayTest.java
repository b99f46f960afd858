package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jamesproxy.testing.Pop3ProxyFixture.policy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.jamesproxy.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The POP3 commands relayed as they are, over the implicit TLS port, toward a loopback upstream in clear. */
class Pop3ProxyRelayTest {
    private static final String MESSAGE = "From: bob@example.com\r\nSubject: hello\r\n\r\nfirst line\r\n.starts with a dot\r\n..two dots\r\nlast\r\n";

    private Pop3ProxyFixture fixture;
    private FakePop3Upstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Pop3ProxyFixture();
        upstream = fixture.upstream()
            .message(1, MESSAGE.getBytes(ISO_8859_1))
            .message(2, "Subject: second\r\n\r\nbody\r\n".getBytes(ISO_8859_1));
        fixture.start(policy(""), upstream);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private ImapTestClient loggedIn() throws Exception {
        ImapTestClient client = fixture.tlsClient();
        client.readLine();
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(client.sendLine("PASS secret").readLine()).startsWith("+OK");
        return client;
    }

    /** The upstream in clear (loopback): its APOP challenge could be anyone's, so it is not passed on. */
    @Test
    void greetingShouldBeOursWithoutTheChallengeOfAnUpstreamInClear() throws Exception {
        ImapTestClient client = fixture.tlsClient();

        assertThat(client.readLine()).isEqualTo("+OK proxy.test POP3 proxy ready");
    }

    @Test
    void capaShouldBeRewrittenOnTheImplicitTlsPort() throws Exception {
        ImapTestClient client = fixture.tlsClient();
        client.readLine();

        assertThat(client.sendLine("CAPA").readLine()).startsWith("+OK");
        assertThat(Pop3Responses.readListing(client)).containsExactly("TOP", "UIDL", "USER", "SASL PLAIN LOGIN CRAM-MD5",
            "RESP-CODES", "PIPELINING");
    }

    @Test
    void transactionCommandsShouldBeRelayedWithTheirMultiLineAnswers() throws Exception {
        ImapTestClient client = loggedIn();

        assertThat(client.sendLine("STAT").readLine()).startsWith("+OK 2 ");
        assertThat(client.sendLine("LIST").readLine()).startsWith("+OK");
        assertThat(Pop3Responses.readListing(client)).containsExactly("1 " + MESSAGE.length(), "2 25");
        assertThat(client.sendLine("UIDL 2").readLine()).isEqualTo("+OK 2 uid-2");
        assertThat(client.sendLine("UIDL").readLine()).startsWith("+OK");
        assertThat(Pop3Responses.readListing(client)).containsExactly("1 uid-1", "2 uid-2");
        assertThat(client.sendLine("DELE 2").readLine()).startsWith("+OK");
        assertThat(client.sendLine("RSET").readLine()).startsWith("+OK");
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
        assertThat(client.sendLine("RETR 9").readLine()).startsWith("-ERR");
        assertThat(client.sendLine("QUIT").readLine()).startsWith("+OK");
        assertThat(client.isClosedByPeer()).isTrue();
    }

    @Test
    void retrShouldStreamTheMessageWithItsDotStuffingIntactWhenThePolicyHasNoAction() throws Exception {
        ImapTestClient client = loggedIn();

        assertThat(client.sendLine("RETR 1").readLine()).isEqualTo("+OK " + MESSAGE.length() + " octets");
        assertThat(Pop3Responses.readListing(client)).containsExactly("From: bob@example.com", "Subject: hello", "",
            "first line", "..starts with a dot", "...two dots", "last");
    }

    static String largeMessage() {
        StringBuilder message = new StringBuilder("Subject: large\r\n\r\n");
        for (int i = 0; message.length() < 3 * 1024 * 1024; i++) {
            // Dots at line starts and lone-dot lines land at every offset of the reads the relay sees.
            message.append(i % 7 == 0 ? ".\r\n" : i % 5 == 0 ? ".line " + i + "\r\n" : "line " + i + " of the large message\r\n");
        }
        return message.toString();
    }

    @Test
    void largeMessageShouldStreamIntactAcrossManyReads() throws Exception {
        String large = largeMessage();
        upstream.message(3, large.getBytes(ISO_8859_1));
        ImapTestClient client = loggedIn();

        assertThat(client.sendLine("RETR 3").readLine()).startsWith("+OK");

        assertThat(Pop3Responses.readMessage(client)).isEqualTo(large);
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
    }

    @Test
    void pipelinedCommandsShouldBeAnsweredInOrder() throws Exception {
        ImapTestClient client = loggedIn();

        client.send("STAT\r\nRETR 2\r\nNOOP\r\nLIST 1\r\n");

        assertThat(client.readLine()).startsWith("+OK 2 ");
        assertThat(client.readLine()).startsWith("+OK");
        assertThat(Pop3Responses.readMessage(client)).isEqualTo("Subject: second\r\n\r\nbody\r\n");
        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.readLine()).isEqualTo("+OK 1 " + MESSAGE.length());
    }

    @Test
    void authPlainShouldRelayTheContinuationBothWays() throws Exception {
        ImapTestClient client = fixture.tlsClient();
        client.readLine();
        String response = Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(StandardCharsets.UTF_8));

        assertThat(client.sendLine("AUTH PLAIN").readLine()).startsWith("+ ");
        assertThat(client.sendLine(response).readLine()).startsWith("+OK");
        assertThat(client.sendLine("STAT").readLine()).startsWith("+OK");
        assertThat(upstream.receivedLines()).containsSubsequence("AUTH PLAIN", response, "STAT");
        assertThat(fixture.metrics().countFor("pop3proxy-logins")).isEqualTo(1);
    }

    @Test
    void apopShouldBeRelayedWhenTheUpstreamGreetingOfferedItOverTls() throws Exception {
        fixture.close();
        fixture = new Pop3ProxyFixture();
        FakePop3Upstream tlsUpstream = fixture.implicitTlsUpstream(TestPki.serverContext(fixture.pki().upstreamCertificate()));
        fixture.start(policy("enabled", Pop3ProxyFixture.implicitTlsUpstreamXml(), ""), tlsUpstream);
        ImapTestClient client = fixture.tlsClient();

        assertThat(client.readLine()).isEqualTo("+OK proxy.test POP3 proxy ready " + FakePop3Upstream.TIMESTAMP);
        assertThat(client.sendLine("APOP alice c4c9334bac560ecc979e58001b3e22fb").readLine()).startsWith("+OK");
        assertThat(tlsUpstream.receivedLines()).contains("APOP alice c4c9334bac560ecc979e58001b3e22fb");
    }

    @Test
    void unknownCommandsShouldBeRefusedWithoutReachingTheUpstream() throws Exception {
        ImapTestClient client = loggedIn();

        assertThat(client.sendLine("XTND XMIT").readLine()).startsWith("-ERR");
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
        assertThat(upstream.receivedCommand("XTND")).isFalse();
    }

    @Test
    void quitShouldCloseBothLegs() throws Exception {
        ImapTestClient client = loggedIn();

        assertThat(client.sendLine("QUIT").readLine()).startsWith("+OK");

        assertThat(client.isClosedByPeer()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.metrics().countFor("pop3proxy-active-connections") == 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"<helloName autodetect=\"true\"/>", ""})
    void greetingShouldNameTheLocalHostWithoutAFixedHelloName(String helloName) throws Exception {
        fixture.start(Pop3ProxyFixture.policyWithHelloName(helloName, ""), upstream);
        ImapTestClient client = fixture.tlsClient();

        String greeting = client.readLine();

        assertThat(greeting).startsWith("+OK " + Pop3ProxyFixture.localHostName() + " ");
    }
}
