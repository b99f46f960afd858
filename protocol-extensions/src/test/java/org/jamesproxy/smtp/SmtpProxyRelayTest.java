package org.jamesproxy.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jamesproxy.testing.SmtpProxyFixture.policy;

import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The inline relay against a scripted upstream: replies in step, DATA held until the upstream accepted, faults. */
class SmtpProxyRelayTest {
    static final String MESSAGE = "Subject: hello\r\nFrom: a@proxy.test\r\n\r\nline one\r\n.starts with a dot\r\n..two dots\r\n";

    private SmtpProxyFixture fixture;
    private FakeSmtpUpstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new SmtpProxyFixture();
        upstream = fixture.upstream();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    static String stuffed(String message) {
        return message.replaceAll("(?m)^\\.", "..");
    }

    private SmtpTestClient transactionStarted(SmtpTestClient client) throws Exception {
        client.greetAndEhlo();
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(client.command("RCPT TO:<b@proxy.test>")).startsWith("250");
        return client;
    }

    @Test
    void ehloShouldOfferOnlyRelayedExtensionsWhenTheUpstreamOffersMore() throws Exception {
        fixture.start(policy("<limits><maxMessageSize>1M</maxMessageSize></limits>"), upstream);
        SmtpTestClient client = fixture.plainClient();

        List<String> ehlo = client.greetAndEhlo();

        assertThat(ehlo.get(0)).startsWith("250-proxy.test");
        assertThat(ehlo).extracting(line -> line.substring(4))
            .contains("SIZE 1048576", "PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8", "DSN", "STARTTLS")
            .doesNotContain("CHUNKING", "BINARYMIME", "VRFY", "ETRN", "X-EXPERIMENTAL")
            .noneMatch(keyword -> keyword.startsWith("AUTH"));
        assertThat(ehlo.get(ehlo.size() - 1)).startsWith("250 ");
    }

    @Test
    void ehloShouldAdvertiseTheUpstreamSizeWhenItIsLowerThanOurs() throws Exception {
        upstream.keywords(List.of("SIZE 1000", "PIPELINING"));
        fixture.start(policy(""), upstream);

        List<String> ehlo = fixture.plainClient().greetAndEhlo();

        assertThat(ehlo).contains("250-SIZE 1000");
    }

    @Test
    void ehloShouldOfferAuthButNoStartTlsOnTheImplicitTlsPort() throws Exception {
        fixture.start(policy(""), upstream);

        List<String> ehlo = fixture.tlsClient().greetAndEhlo();

        assertThat(ehlo).anyMatch(line -> line.substring(4).equals("AUTH PLAIN LOGIN"))
            .noneMatch(line -> line.contains("STARTTLS"));
    }

    @Test
    void mailAndRcptRepliesShouldReachTheClientUnchanged() throws Exception {
        upstream.mailReply("250 2.1.0 sender <a@proxy.test> looks fine")
            .rejectRecipient("nobody@proxy.test", "550 5.1.1 <nobody@proxy.test>: upstream says no such user");
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();

        assertThat(client.command("MAIL FROM:<a@proxy.test>")).isEqualTo("250 2.1.0 sender <a@proxy.test> looks fine");
        assertThat(client.command("RCPT TO:<nobody@proxy.test>"))
            .isEqualTo("550 5.1.1 <nobody@proxy.test>: upstream says no such user");
    }

    @Test
    void multiLineUpstreamRepliesShouldReachTheClientUnchanged() throws Exception {
        upstream.rejectRecipient("list@proxy.test",
            "550-5.7.1 <list@proxy.test>: first line of the refusal\r\n550 5.7.1 see https://proxy.test/why");
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();
        client.command("MAIL FROM:<a@proxy.test>");

        client.sendLine("RCPT TO:<list@proxy.test>");

        assertThat(client.readReply()).containsExactly("550-5.7.1 <list@proxy.test>: first line of the refusal",
            "550 5.7.1 see https://proxy.test/why");
    }

    @Test
    void dataShouldReachTheUpstreamRestuffedAndTheClientShouldGetTheUpstreamAcceptance() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = transactionStarted(fixture.plainClient());

        assertThat(client.command("DATA")).startsWith("354");
        client.send(stuffed(MESSAGE) + ".\r\n");

        assertThat(client.reply()).isEqualTo("250 2.0.0 Ok: queued as FAKE-42");
        assertThat(upstream.messages()).hasSize(1);
        assertThat(new String(upstream.messages().get(0), ISO_8859_1)).isEqualTo(stuffed(MESSAGE));
        assertThat(fixture.metrics().countFor("smtpproxy-messages-relayed")).isEqualTo(1);
    }

    @Test
    void pipelinedCommandsShouldBeAnsweredInOrder() throws Exception {
        upstream.rejectRecipient("nobody@proxy.test", "550 5.1.1 no such user");
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();

        client.send("MAIL FROM:<a@proxy.test>\r\nRCPT TO:<nobody@proxy.test>\r\nRCPT TO:<b@proxy.test>\r\n"
            + "RCPT TO:<@evil.example:c@proxy.test>\r\nDATA\r\n");

        assertThat(client.reply()).startsWith("250 2.1.0");
        assertThat(client.reply()).startsWith("550 5.1.1");
        assertThat(client.reply()).startsWith("250 2.1.5");
        assertThat(client.reply()).startsWith("553 5.7.1");
        assertThat(client.reply()).startsWith("354");
        client.send(MESSAGE + ".\r\nQUIT\r\n");
        assertThat(client.reply()).startsWith("250 2.0.0");
        assertThat(client.reply()).startsWith("221");
        assertThat(upstream.messages()).hasSize(1);
    }

    @Test
    void authPlainShouldBeRelayedWithItsContinuationOverTls() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.tlsClient();
        client.greetAndEhlo();
        String credentials = Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(ISO_8859_1));

        assertThat(client.command("AUTH PLAIN")).startsWith("334");
        assertThat(client.command(credentials)).isEqualTo("235 2.7.0 Authentication successful");
        assertThat(upstream.received()).contains("AUTH PLAIN", credentials);
        assertThat(fixture.metrics().countFor("smtpproxy-auth")).isEqualTo(1);
    }

    @Test
    void authLoginShouldRelayEveryContinuation() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.tlsClient();
        client.greetAndEhlo();

        assertThat(client.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
        assertThat(client.command("YWxpY2U=")).isEqualTo("334 UGFzc3dvcmQ6");
        assertThat(client.command("c2VjcmV0")).startsWith("235");
        assertThat(client.command("AUTH PLAIN AGFsaWNlAHNlY3JldA==")).startsWith("503");
    }

    @Test
    void authShouldBeRefusedOnAPlainConnectionBeforeStartTls() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();

        assertThat(client.command("AUTH PLAIN AGFsaWNlAHNlY3JldA==")).startsWith("530 5.7.0");
        assertThat(upstream.receivedCommand("AUTH")).isFalse();
    }

    @Test
    void upstreamRefusalOfDataShouldReachTheClient() throws Exception {
        upstream.dataReply("451 4.3.0 try again later");
        fixture.start(policy(""), upstream);
        SmtpTestClient client = transactionStarted(fixture.plainClient());

        assertThat(client.command("DATA")).startsWith("354");
        client.send(MESSAGE + ".\r\n");

        assertThat(client.reply()).isEqualTo("451 4.3.0 try again later");
        assertThat(upstream.messages()).isEmpty();
    }

    @Test
    void upstreamRefusalAtTheFinalDotShouldReachTheClient() throws Exception {
        upstream.endReply("554 5.7.1 upstream content filter says no");
        fixture.start(policy(""), upstream);
        SmtpTestClient client = transactionStarted(fixture.plainClient());

        client.command("DATA");
        client.send(MESSAGE + ".\r\n");

        assertThat(client.reply()).isEqualTo("554 5.7.1 upstream content filter says no");
        assertThat(fixture.metrics().countFor("smtpproxy-messages-relayed")).isZero();
        // The session stays usable for the next message.
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
    }

    @Test
    void upstreamDroppingMidDataShouldGiveTheClient451() throws Exception {
        upstream.dataEnd(FakeSmtpUpstream.DataEnd.DROP_MID_DATA);
        fixture.start(policy(""), upstream);
        SmtpTestClient client = transactionStarted(fixture.plainClient());

        client.command("DATA");
        client.send(MESSAGE + ".\r\n");

        assertThat(client.reply()).startsWith("451 4.4.2");
        assertThat(upstream.messages()).isEmpty();
    }

    @Test
    void upstreamDroppingAtTheFinalDotShouldGiveTheClient451NotA250() throws Exception {
        upstream.dataEnd(FakeSmtpUpstream.DataEnd.DROP_AT_DOT);
        fixture.start(policy(""), upstream);
        SmtpTestClient client = transactionStarted(fixture.plainClient());

        client.command("DATA");
        client.send(MESSAGE + ".\r\n");

        assertThat(client.reply()).startsWith("451 4.4.2");
        assertThat(client.isClosedByPeer()).isTrue();
    }

    @Test
    void clientDroppingMidDataShouldNeverLetTheUpstreamSeeAFinalDot() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = transactionStarted(fixture.plainClient());

        client.command("DATA");
        client.send("Subject: half\r\n\r\nonly part of the body\r\n");
        client.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
        assertThat(upstream.dataCommands()).isZero();
        assertThat(upstream.messages()).isEmpty();
    }

    @Test
    void droppedSessionsShouldReleaseBothLegs() throws Exception {
        fixture.start(policy(""), upstream);
        for (int i = 0; i < 50; i++) {
            SmtpTestClient client = transactionStarted(fixture.plainClient());
            client.command("DATA");
            client.send("Subject: dropped " + i + "\r\n\r\npartial");
            client.close();
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(fixture.metrics().countFor("smtpproxy-active-connections")).isZero();
            assertThat(upstream.openConnections()).isZero();
        });
        assertThat(upstream.dataCommands()).isZero();
    }

    @Test
    void unreachableUpstreamShouldGiveTheClient421() throws Exception {
        // Closed before the proxy starts: the port stays known, nothing listens on it any more.
        upstream.close();
        fixture.start(policy(""), upstream);

        SmtpTestClient client = fixture.plainClient();

        assertThat(client.reply()).as("the proxy's own greeting: no upstream yet").startsWith("220 proxy.test");
        assertThat(client.command("EHLO client.test")).startsWith("421 4.3.2");
        assertThat(fixture.metrics().countFor("smtpproxy-upstream-failures")).isEqualTo(1);
    }

    @Test
    void dataShouldBeRefusedWithoutAcceptedRecipient() throws Exception {
        upstream.rejectRecipient("nobody@proxy.test", "550 5.1.1 no such user");
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();
        client.command("MAIL FROM:<a@proxy.test>");
        client.command("RCPT TO:<nobody@proxy.test>");

        assertThat(client.command("DATA")).startsWith("554 5.5.1");
        assertThat(upstream.dataCommands()).isZero();
    }

    @Test
    void bdatShouldNotBeRelayed() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = transactionStarted(fixture.plainClient());

        assertThat(client.command("BDAT 10 LAST")).startsWith("502");
        assertThat(upstream.receivedCommand("BDAT")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"<helloName autodetect=\"true\"/>", ""})
    void greetingAndUpstreamEhloShouldNameTheLocalHostWithoutAFixedHelloName(String helloName) throws Exception {
        fixture.start(SmtpProxyFixture.policyWithHelloName(helloName, ""), upstream);
        SmtpTestClient client = fixture.tlsClient();
        String host = SmtpProxyFixture.localHostName();

        String greeting = client.reply();
        List<String> ehlo = client.sendLine("EHLO client.test").readReply();

        assertThat(greeting).startsWith("220 " + host + " ");
        assertThat(ehlo.get(0)).startsWith("250-" + host + " ");
        assertThat(upstream.received()).startsWith("EHLO " + host, "EHLO client.test");
    }
}
