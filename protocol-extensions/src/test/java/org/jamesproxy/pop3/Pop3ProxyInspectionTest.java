package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.Pop3ProxyFixture.policy;
import static org.jamesproxy.testing.Pop3ProxyFixture.withInspection;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jamesproxy.inspection.DenyNotice;
import org.jamesproxy.inspection.InspectionContext;
import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RETR and TOP answers through the inspection hook: de-stuffed before the inspector sees them, re-stuffed and
 * terminated on the way out, and what the client receives for each verdict.
 */
class Pop3ProxyInspectionTest {
    private static final String MESSAGE = "From: alice@example.com\r\nSubject: original\r\nX-Secret: 42\r\n\r\n"
        + "Hello\r\n.\r\n..\r\n.leading dot\r\nline\r\n.\r\nafter a lone dot\r\n";
    private static final String MODIFIED = "From: alice@example.com\r\nSubject: inspected\r\n\r\n"
        + ".dot line kept\r\n.\r\nend\r\n";

    private Pop3ProxyFixture fixture;
    private FakePop3Upstream upstream;
    private final List<InspectionContext> inspected = new CopyOnWriteArrayList<>();
    private final List<String> inspectedMessages = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Pop3ProxyFixture();
        upstream = fixture.upstream().message(1, MESSAGE.getBytes(ISO_8859_1));
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private MessageInspector recording(InspectionResult result) {
        return (context, message) -> {
            inspected.add(context);
            inspectedMessages.add(new String(message, ISO_8859_1));
            return result;
        };
    }

    private ImapTestClient loggedIn(String inspectionXml, MessageInspector inspector) throws Exception {
        fixture.start(policy(inspectionXml), upstream, inspector);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();
        client.sendLine("USER alice").readLine();
        assertThat(client.sendLine("PASS secret").readLine()).startsWith("+OK");
        return client;
    }

    @Test
    void inspectorShouldSeeTheMessageDeStuffed() throws Exception {
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.unchanged()));

        assertThat(client.sendLine("RETR 1").readLine()).isEqualTo("+OK " + MESSAGE.length() + " octets");
        assertThat(Pop3Responses.readMessage(client)).isEqualTo(MESSAGE);
        assertThat(inspectedMessages).containsExactly(MESSAGE);
        assertThat(inspected.get(0).getProtocol()).isEqualTo(Protocol.POP3);
        assertThat(inspected.get(0).getUser()).contains("alice");
    }

    @Test
    void unchangedMessageShouldGoOutStuffedExactlyAsTheUpstreamSentIt() throws Exception {
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.unchanged()));

        client.sendLine("RETR 1").readLine();

        assertThat(Pop3Responses.readListing(client)).containsExactly("From: alice@example.com", "Subject: original",
            "X-Secret: 42", "", "Hello", "..", "...", "..leading dot", "line", "..", "after a lone dot");
    }

    @Test
    void modifiedMessageShouldBeSentStuffedWithItsNewSize() throws Exception {
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        assertThat(client.sendLine("RETR 1").readLine()).isEqualTo("+OK " + MODIFIED.length() + " octets");
        assertThat(Pop3Responses.readListing(client)).containsExactly("From: alice@example.com", "Subject: inspected", "",
            "..dot line kept", "..", "end");
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
        assertThat(fixture.metrics().countFor("pop3proxy-retr-modified")).isEqualTo(1);
    }

    @Test
    void modifiedMessageWithoutFinalLineBreakShouldStillBeTerminatedOnItsOwnLine() throws Exception {
        ImapTestClient client = loggedIn(withInspection(""),
            recording(InspectionResult.modified("Subject: x\r\n\r\nno final CRLF".getBytes(ISO_8859_1))));

        client.sendLine("RETR 1").readLine();

        assertThat(Pop3Responses.readListing(client)).containsExactly("Subject: x", "", "no final CRLF");
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
    }

    @Test
    void deniedMessageShouldBeReplacedByTheDenyNotice() throws Exception {
        byte[] notice = DenyNotice.render(MESSAGE.getBytes(ISO_8859_1), "virus found", ZonedDateTime.now());
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.denied("virus found", notice)));

        assertThat(client.sendLine("RETR 1").readLine()).isEqualTo("+OK " + notice.length + " octets");
        String received = Pop3Responses.readMessage(client);

        assertThat(received).isEqualTo(new String(notice, ISO_8859_1));
        assertThat(received).contains("X-JamesProxy-Denied: virus found").doesNotContain("Hello", "X-Secret");
        assertThat(fixture.metrics().countFor("pop3proxy-retr-denied")).isEqualTo(1);
    }

    @Test
    void topReturningTheWholeMessageShouldBeInspectedLikeRetr() throws Exception {
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        assertThat(client.sendLine("TOP 1 100").readLine()).startsWith("+OK");

        assertThat(Pop3Responses.readMessage(client)).isEqualTo(MODIFIED);
        assertThat(inspectedMessages).containsExactly(MESSAGE);
    }

    @Test
    void partialTopShouldBeCutFromTheInspectedWholeMessage() throws Exception {
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        assertThat(client.sendLine("TOP 1 2").readLine()).startsWith("+OK");

        assertThat(Pop3Responses.readMessage(client)).isEqualTo("From: alice@example.com\r\nSubject: inspected\r\n\r\n"
            + ".dot line kept\r\n.\r\n");
        assertThat(inspectedMessages).as("the whole message, not its header only").containsExactly(MESSAGE);
        assertThat(upstream.receivedLines()).contains("TOP 1 " + Integer.MAX_VALUE).doesNotContain("TOP 1 2");
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
    }

    @Test
    void partialTopOfADeniedMessageShouldShowTheDenyNoticeOnly() throws Exception {
        byte[] notice = DenyNotice.render(MESSAGE.getBytes(ISO_8859_1), "virus found", ZonedDateTime.now());
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.denied("virus found", notice)));

        // Every body line but the last: before, only the header section was inspected and these went out as they were.
        assertThat(client.sendLine("TOP 1 6").readLine()).startsWith("+OK");
        String received = Pop3Responses.readMessage(client);

        assertThat(received).contains("X-JamesProxy-Denied: virus found").doesNotContain("Hello", "leading dot", "X-Secret");
        assertThat(new String(notice, ISO_8859_1)).startsWith(received);
    }

    @Test
    void partialTopOfAnOversizeMessagePassingUninspectedShouldStillBeItsTop() throws Exception {
        ImapTestClient client = loggedIn(withInspection("<inspection><maxMessageSize>60</maxMessageSize></inspection>"),
            recording(InspectionResult.unchanged()));

        assertThat(client.sendLine("TOP 1 3").readLine()).startsWith("+OK");

        assertThat(Pop3Responses.readListing(client)).containsExactly("From: alice@example.com", "Subject: original",
            "X-Secret: 42", "", "Hello", "..", "...");
        assertThat(inspectedMessages).isEmpty();
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
    }

    @Test
    void partialTopShouldGetTheInspectedHeaderAndTheOriginalBodyLinesWhenPartialFetchIsPass() throws Exception {
        String strippedHeader = "From: alice@example.com\r\nSubject: original\r\n\r\n";
        ImapTestClient client = loggedIn(withInspection("<inspection><partialFetch>pass</partialFetch></inspection>"),
            recording(InspectionResult.modified((strippedHeader + "ignored body\r\n").getBytes(ISO_8859_1))));

        assertThat(client.sendLine("TOP 1 2").readLine()).startsWith("+OK");

        assertThat(Pop3Responses.readMessage(client)).isEqualTo(strippedHeader + "Hello\r\n.\r\n");
        assertThat(inspectedMessages).containsExactly("From: alice@example.com\r\nSubject: original\r\nX-Secret: 42\r\n\r\n");
    }

    @Test
    void partialTopShouldBeRefusedWhenThePolicyDeniesPartialRetrieval() throws Exception {
        ImapTestClient client = loggedIn(withInspection("<inspection><partialFetch>deny</partialFetch></inspection>"),
            recording(InspectionResult.unchanged()));

        assertThat(client.sendLine("TOP 1 0").readLine()).startsWith("-ERR");
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
        assertThat(inspectedMessages).isEmpty();
    }

    @Test
    void oversizeMessageShouldBeRelayedUninspectedWhenTheRuleIsPass() throws Exception {
        ImapTestClient client = loggedIn(withInspection("<inspection><maxMessageSize>40</maxMessageSize></inspection>"),
            recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        assertThat(client.sendLine("RETR 1").readLine()).isEqualTo("+OK " + MESSAGE.length() + " octets");

        assertThat(Pop3Responses.readMessage(client)).isEqualTo(MESSAGE);
        assertThat(inspectedMessages).isEmpty();
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
        assertThat(fixture.metrics().countFor("pop3proxy-retr-not-inspected")).isEqualTo(1);
    }

    @Test
    void oversizeMessageShouldBeReplacedByTheDenyNoticeWhenTheRuleIsReplace() throws Exception {
        ImapTestClient client = loggedIn(
            withInspection("<inspection><maxMessageSize>40</maxMessageSize><oversize>replace</oversize></inspection>"),
            recording(InspectionResult.unchanged()));

        client.sendLine("RETR 1").readLine();
        String received = Pop3Responses.readMessage(client);

        assertThat(received).contains("X-JamesProxy-Denied", "Subject: [Denied] original").doesNotContain("Hello");
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
    }

    @Test
    void partialTopOfAnOversizeMessageReplacedShouldBeTheTopOfTheNotice() throws Exception {
        ImapTestClient client = loggedIn(
            withInspection("<inspection><maxMessageSize>40</maxMessageSize><oversize>replace</oversize></inspection>"),
            recording(InspectionResult.unchanged()));

        client.sendLine("TOP 1 0").readLine();
        String received = Pop3Responses.readMessage(client);

        assertThat(received).contains("X-JamesProxy-Denied", "Subject: [Denied] original").endsWith("\r\n\r\n");
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
    }

    @Test
    void largeMessageShouldBeInspectedAndRelayedIntact() throws Exception {
        String large = Pop3ProxyRelayTest.largeMessage();
        upstream.message(2, large.getBytes(ISO_8859_1));
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.unchanged()));

        assertThat(client.sendLine("RETR 2").readLine()).startsWith("+OK");

        assertThat(Pop3Responses.readMessage(client)).isEqualTo(large);
        assertThat(inspectedMessages).containsExactly(large);
    }

    @Test
    void messagesShouldStreamUninspectedWhenThePolicyHasNoAction() throws Exception {
        ImapTestClient client = loggedIn("", recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        client.sendLine("RETR 1").readLine();

        assertThat(Pop3Responses.readMessage(client)).isEqualTo(MESSAGE);
        assertThat(inspectedMessages).isEmpty();
    }
}
