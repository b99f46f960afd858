package org.jamesproxy.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jamesproxy.testing.SmtpProxyFixture.policy;
import static org.jamesproxy.testing.SmtpProxyFixture.withInspection;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jamesproxy.inspection.InspectionContext;
import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy action on DATA and the SMTP rules of a policy: limits, patterns, source routes, smuggling. */
class SmtpProxyPolicyTest {
    private static final String MESSAGE = "Subject: hello\r\nX-Secret: internal\r\n\r\nbody\r\n";

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

    private SmtpTestClient readyForData(SmtpTestClient client) throws Exception {
        client.greetAndEhlo();
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(client.command("RCPT TO:<b@proxy.test>")).startsWith("250");
        assertThat(client.command("RCPT TO:<c@proxy.test>")).startsWith("250");
        assertThat(client.command("DATA")).startsWith("354");
        return client;
    }

    @Test
    void denyVerdictShouldGive554AndTheUpstreamShouldNeverSeeData() throws Exception {
        fixture.start(policy(withInspection()), upstream,
            (context, message) -> InspectionResult.denied("Virus found: EICAR", "notice".getBytes(ISO_8859_1)));
        SmtpTestClient client = readyForData(fixture.plainClient());

        client.send(MESSAGE + ".\r\n");

        assertThat(client.reply()).isEqualTo("554 5.7.1 Virus found: EICAR");
        assertThat(upstream.dataCommands()).isZero();
        assertThat(client.command("NOOP")).startsWith("250");
        assertThat(upstream.received()).contains("RSET");
        assertThat(fixture.metrics().countFor("smtpproxy-messages-denied")).isEqualTo(1);
    }

    @Test
    void throwingInspectorShouldFailClosedWith554() throws Exception {
        fixture.start(policy(withInspection()), upstream, (context, message) -> {
            throw new IllegalStateException("engine down");
        });
        SmtpTestClient client = readyForData(fixture.plainClient());

        client.send(MESSAGE + ".\r\n");

        assertThat(client.reply()).startsWith("554 5.7.1");
        assertThat(upstream.dataCommands()).isZero();
    }

    @Test
    void inspectorShouldSeeTheUnstuffedMessageWithSenderAndAcceptedRecipients() throws Exception {
        List<InspectionContext> contexts = new CopyOnWriteArrayList<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        MessageInspector inspector = (context, message) -> {
            contexts.add(context);
            seen.add(new String(message, ISO_8859_1));
            return InspectionResult.modified(new String(message, ISO_8859_1).replace("X-Secret: internal\r\n", "")
                .getBytes(ISO_8859_1));
        };
        upstream.rejectRecipient("c@proxy.test", "550 5.1.1 no such user");
        fixture.start(policy(withInspection()), upstream, inspector);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();
        client.command("MAIL FROM:<a@proxy.test>");
        client.command("RCPT TO:<b@proxy.test>");
        client.command("RCPT TO:<c@proxy.test>");
        client.command("DATA");

        client.send("Subject: hello\r\nX-Secret: internal\r\n\r\n..dotted\r\n.\r\n");

        assertThat(client.reply()).startsWith("250");
        assertThat(seen).containsExactly("Subject: hello\r\nX-Secret: internal\r\n\r\n.dotted\r\n");
        assertThat(contexts.get(0).getSender().asString()).isEqualTo("a@proxy.test");
        assertThat(contexts.get(0).getRecipients()).extracting(Object::toString).containsExactly("b@proxy.test");
        assertThat(new String(upstream.messages().get(0), ISO_8859_1)).isEqualTo("Subject: hello\r\n\r\n..dotted\r\n");
    }

    @Test
    void bareLineFeedInDataShouldBeRefusedAndNothingRelayed() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = readyForData(fixture.plainClient());

        client.send("Subject: smuggle\r\n\r\nbody\n.\nMAIL FROM:<evil@proxy.test>\r\nRCPT TO:<victim@proxy.test>\r\n"
            + "DATA\r\nSubject: smuggled\r\n\r\n.\r\n");

        assertThat(client.reply()).startsWith("550 5.6.0");
        assertThat(client.isClosedByPeer()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
        assertThat(upstream.dataCommands()).isZero();
        assertThat(upstream.received()).noneMatch(line -> line.contains("evil") || line.contains("victim"));
        assertThat(fixture.metrics().countFor("smtpproxy-messages-refused")).isEqualTo(1);
    }

    @Test
    void bareCarriageReturnSmugglingShouldBeRefused() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = readyForData(fixture.plainClient());

        client.send("Subject: smuggle\r\n\r\nbody\r.\rRCPT TO:<evil@proxy.test>\r\n.\r\n");

        assertThat(client.reply()).startsWith("550 5.6.0");
        assertThat(client.isClosedByPeer()).isTrue();
        assertThat(upstream.dataCommands()).isZero();
        assertThat(upstream.received()).noneMatch(line -> line.contains("evil"));
    }

    @Test
    void bareLineFeedBeforeAStrictEndShouldNotHangTheClient() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = readyForData(fixture.plainClient());

        client.send("Subject: sloppy\n\nbody\n.\r\n");

        assertThat(client.reply()).startsWith("550 5.6.0");
        assertThat(upstream.dataCommands()).isZero();
    }

    @Test
    void messageOverTheSizeLimitShouldBeRefusedWith552() throws Exception {
        fixture.start(policy("<limits><maxMessageSize>1K</maxMessageSize></limits>"), upstream);
        SmtpTestClient client = readyForData(fixture.plainClient());

        client.send("Subject: big\r\n\r\n" + "x".repeat(100) + "\r\n" + ("y".repeat(98) + "\r\n").repeat(20) + ".\r\n");

        assertThat(client.reply()).startsWith("552 5.3.4");
        assertThat(upstream.dataCommands()).isZero();
    }

    @Test
    void mailWithADeclaredSizeOverTheLimitShouldBeRefusedWith552() throws Exception {
        fixture.start(policy("<limits><maxMessageSize>1K</maxMessageSize></limits>"), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();

        assertThat(client.command("MAIL FROM:<a@proxy.test> SIZE=2048")).startsWith("552 5.3.4");
        assertThat(upstream.receivedCommand("MAIL")).isFalse();
    }

    @Test
    void recipientsBeyondTheLimitShouldEachGet452() throws Exception {
        fixture.start(policy("<limits><maxRecipients>2</maxRecipients></limits>"), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();
        client.command("MAIL FROM:<a@proxy.test>");

        client.send("RCPT TO:<r1@proxy.test>\r\nRCPT TO:<r2@proxy.test>\r\nRCPT TO:<r3@proxy.test>\r\nRCPT TO:<r4@proxy.test>\r\n");

        assertThat(client.reply()).startsWith("250");
        assertThat(client.reply()).startsWith("250");
        assertThat(client.reply()).isEqualTo("452 4.5.3 Too many recipients");
        assertThat(client.reply()).isEqualTo("452 4.5.3 Too many recipients");
        assertThat(upstream.received()).filteredOn(line -> line.startsWith("RCPT")).hasSize(2);
    }

    @Test
    void senderAndRecipientPatternsShouldBeEnforced() throws Exception {
        fixture.start(policy("<rules><mailFrom><deny>.*@spam\\.example</deny></mailFrom>"
            + "<rcptTo><allow>.*@proxy\\.test</allow></rcptTo></rules>"), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();

        assertThat(client.command("MAIL FROM:<x@SPAM.example>")).startsWith("550 5.7.1");
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(client.command("RCPT TO:<b@elsewhere.example>")).startsWith("550 5.7.1");
        assertThat(client.command("RCPT TO:<b@proxy.test>")).startsWith("250");
        assertThat(upstream.received()).noneMatch(line -> line.contains("spam") || line.contains("elsewhere"));
        assertThat(fixture.metrics().countFor("smtpproxy-policy-rejections")).isEqualTo(2);
    }

    @Test
    void sourceRoutedAddressesShouldBeRefused() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();

        assertThat(client.command("MAIL FROM:<@relay.example:a@proxy.test>")).startsWith("553 5.7.1");
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(client.command("RCPT TO:<@one.example,@two.example:b@proxy.test>")).startsWith("553 5.7.1");
    }

    @Test
    void mailShouldBeRefusedBeforeHeloWhenRequired() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.reply();

        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("503 5.5.1");
        assertThat(client.command("HELO client.test")).startsWith("250");
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
    }

    @Test
    void nullSenderShouldBeAcceptedDespiteAllowPatterns() throws Exception {
        fixture.start(policy("<rules><mailFrom><allow>.*@proxy\\.test</allow></mailFrom></rules>"), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();

        assertThat(client.command("MAIL FROM:<>")).startsWith("250");
    }
}
