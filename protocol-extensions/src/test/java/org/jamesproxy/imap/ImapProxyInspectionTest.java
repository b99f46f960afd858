package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.ImapProxyFixture.policy;
import static org.jamesproxy.testing.ImapProxyFixture.withInspection;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jamesproxy.inspection.DenyNotice;
import org.jamesproxy.inspection.InspectionContext;
import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * FETCH bodies through the inspection hook: what is inspected (whole messages, and header sections, which get the
 * header of the inspected result), and what the client receives for each verdict.
 */
class ImapProxyInspectionTest {
    private static final String MESSAGE = "From: alice@example.com\r\nSubject: original\r\nX-Secret: 42\r\n\r\n"
        + "Hello\r\na1 OK fake\r\n";
    private static final String MODIFIED = "From: alice@example.com\r\nSubject: inspected and much longer than before\r\n\r\n"
        + "Hello again\r\n";

    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;
    private final List<InspectionContext> inspected = new CopyOnWriteArrayList<>();
    private final List<byte[]> inspectedBytes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream().message(1, MESSAGE.getBytes(ISO_8859_1));
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private MessageInspector recording(InspectionResult result) {
        return (context, message) -> {
            inspected.add(context);
            inspectedBytes.add(message);
            return result;
        };
    }

    private ImapTestClient loggedIn(String inspectionXml, MessageInspector inspector) throws Exception {
        fixture.start(policy(inspectionXml), upstream, inspector);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();
        assertThat(client.sendLine("l LOGIN alice secret").readLine()).startsWith("l OK");
        return client;
    }

    /**
     * A non-PEEK item answered from the inspected view: the content, then the FLAGS the upstream reports once the
     * proxy set \\Seen for the client.
     */
    private static String[] viewed(int number, String item, String value, String tagged) {
        return new String[] {"* " + number + " FETCH (" + item + " {" + value.length() + "}\r\n" + value + ")",
            "* " + number + " FETCH (FLAGS (\\Seen))", tagged};
    }

    private static String fetchResponse(String item, String value) {
        return "* 1 FETCH (" + item + " {" + value.length() + "}\r\n" + value + " FLAGS (\\Seen))";
    }

    @Test
    void modifiedMessageShouldBeSentWithItsNewLengthFollowedByTheRestOfTheResponse() throws Exception {
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        List<String> responses = client.sendLine("a FETCH 1 BODY[]").readUntilTagged("a");

        assertThat(responses).containsExactly(viewed(1, "BODY[]", MODIFIED, "a OK FETCH completed"));
        assertThat(inspectedBytes).extracting(bytes -> new String(bytes, ISO_8859_1)).containsExactly(MESSAGE);
        assertThat(inspected.get(0).getProtocol()).isEqualTo(Protocol.IMAP);
        assertThat(inspected.get(0).getUser()).contains("alice");
        assertThat(fixture.metrics().countFor("imapproxy-fetch-modified")).isEqualTo(1);
    }

    @Test
    void peekFetchShouldBeInspectedToo() throws Exception {
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        List<String> responses = client.sendLine("a UID FETCH 1 BODY.PEEK[]").readUntilTagged("a");

        // UID FETCH responses carry the UID (RFC 3501 §6.4.8), which the proxy asked for on the client's behalf.
        assertThat(responses).containsExactly("* 1 FETCH (BODY[] {" + MODIFIED.length() + "}\r\n" + MODIFIED + " UID 1)",
            "a OK FETCH completed");
    }

    @Test
    void unchangedMessageShouldBeSentAsItCame() throws Exception {
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.unchanged()));

        List<String> responses = client.sendLine("a FETCH 1 RFC822").readUntilTagged("a");

        assertThat(responses).containsExactly(viewed(1, "RFC822", MESSAGE, "a OK FETCH completed"));
        assertThat(inspected).hasSize(1);
    }

    @Test
    void deniedMessageShouldBeReplacedByTheNotice() throws Exception {
        String notice = "Subject: [Denied] original\r\n\r\nThis message was removed.\r\n";
        ImapTestClient client = loggedIn(withInspection(""),
            recording(InspectionResult.denied("virus found", notice.getBytes(ISO_8859_1))));

        List<String> responses = client.sendLine("a FETCH 1 BODY[]").readUntilTagged("a");

        assertThat(responses).containsExactly(viewed(1, "BODY[]", notice, "a OK FETCH completed"));
        assertThat(fixture.metrics().countFor("imapproxy-fetch-denied")).isEqualTo(1);
    }

    @Test
    void inspectorShouldNotBeCalledForPartialFetchesWhenThePolicyPassesThem() throws Exception {
        ImapTestClient client = loggedIn(withInspection("<inspection><partialFetch>pass</partialFetch></inspection>"),
            recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        List<String> partial = client.sendLine("b FETCH 1 BODY[]<0.10>").readUntilTagged("b");
        List<String> section = client.sendLine("c FETCH 1 BODY.PEEK[1]").readUntilTagged("c");

        String headerPart = MESSAGE.substring(0, MESSAGE.indexOf("\r\n\r\n") + 4);
        assertThat(partial.get(0)).isEqualTo(fetchResponse("BODY[]<0>", MESSAGE.substring(0, 10)));
        assertThat(section.get(0)).isEqualTo(fetchResponse("BODY[1]", MESSAGE.substring(headerPart.length())));
        assertThat(inspected).isEmpty();
    }

    @Test
    void headerFetchShouldGetTheHeaderSectionOfTheInspectedWholeMessage() throws Exception {
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        List<String> header = client.sendLine("a FETCH 1 BODY[HEADER]").readUntilTagged("a");

        String modifiedHeader = MODIFIED.substring(0, MODIFIED.indexOf("\r\n\r\n") + 4);
        assertThat(header).containsExactly(viewed(1, "BODY[HEADER]", modifiedHeader, "a OK FETCH completed"));
        // The action sees the whole message (a header alone would make a multipart look unscannable).
        assertThat(inspectedBytes).extracting(bytes -> new String(bytes, ISO_8859_1)).containsExactly(MESSAGE);
    }

    @Test
    void headerFetchShouldGetTheHeaderSectionOfTheInspectedHeaderWhenThePolicyPassesPartials() throws Exception {
        ImapTestClient client = loggedIn(withInspection("<inspection><partialFetch>pass</partialFetch></inspection>"),
            recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        List<String> header = client.sendLine("a FETCH 1 BODY[HEADER]").readUntilTagged("a");

        String originalHeader = MESSAGE.substring(0, MESSAGE.indexOf("\r\n\r\n") + 4);
        String modifiedHeader = MODIFIED.substring(0, MODIFIED.indexOf("\r\n\r\n") + 4);
        assertThat(header).containsExactly(fetchResponse("BODY[HEADER]", modifiedHeader), "a OK FETCH completed");
        assertThat(inspectedBytes).extracting(bytes -> new String(bytes, ISO_8859_1)).containsExactly(originalHeader);
    }

    @Test
    void partialFetchShouldBeAnsweredWithNilWhenThePolicyDeniesPartials() throws Exception {
        ImapTestClient client = loggedIn(withInspection("<inspection><partialFetch>deny</partialFetch></inspection>"),
            recording(InspectionResult.unchanged()));

        List<String> partial = client.sendLine("a FETCH 1 BODY[]<0.10>").readUntilTagged("a");
        List<String> section = client.sendLine("b FETCH 1 BODY[1]").readUntilTagged("b");
        List<String> full = client.sendLine("c FETCH 1 BODY[]").readUntilTagged("c");

        assertThat(partial).containsExactly("* 1 FETCH (BODY[]<0> NIL FLAGS (\\Seen))", "a OK FETCH completed");
        assertThat(section).containsExactly("* 1 FETCH (BODY[1] NIL FLAGS (\\Seen))", "b OK FETCH completed");
        assertThat(full).containsExactly(fetchResponse("BODY[]", MESSAGE), "c OK FETCH completed");
    }

    @Test
    void oversizeMessageShouldBeReplacedByTheDenyNoticeWhenConfigured() throws Exception {
        String big = "From: alice@example.com\r\nSubject: big one\r\n\r\n" + "x".repeat(2000) + "\r\n";
        upstream.message(2, big.getBytes(ISO_8859_1));
        ImapTestClient client = loggedIn(
            withInspection("<inspection><maxMessageSize>1K</maxMessageSize><oversize>replace</oversize></inspection>"),
            recording(InspectionResult.unchanged()));

        List<String> responses = client.sendLine("a FETCH 2 BODY[]").readUntilTagged("a");
        String next = client.sendLine("b NOOP").readLine();

        assertThat(responses).hasSize(3);
        assertThat(responses.get(0))
            .startsWith("* 2 FETCH (BODY[] {")
            .contains(DenyNotice.DENIED_HEADER)
            .contains(DenyNotice.SUBJECT_PREFIX + "big one")
            .doesNotContain("xxxxxxxxxx")
            .endsWith(")");
        assertThat(responses.get(1)).isEqualTo("* 2 FETCH (FLAGS (\\Seen))");
        assertThat(responses.get(2)).isEqualTo("a OK FETCH completed");
        assertThat(next).startsWith("b OK");
        assertThat(inspected).isEmpty();
    }

    @Test
    void oversizeMessageShouldPassUnchangedByDefault() throws Exception {
        String big = "From: alice@example.com\r\nSubject: big one\r\n\r\n" + "x".repeat(2000) + "\r\n";
        upstream.message(2, big.getBytes(ISO_8859_1));
        ImapTestClient client = loggedIn(withInspection("<inspection><maxMessageSize>1K</maxMessageSize></inspection>"),
            recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        List<String> responses = client.sendLine("a FETCH 2 BODY[]").readUntilTagged("a");

        assertThat(responses).containsExactly(viewed(2, "BODY[]", big, "a OK FETCH completed"));
        assertThat(inspected).isEmpty();
        assertThat(fixture.metrics().countFor("imapproxy-fetch-not-inspected")).isEqualTo(1);
    }

    @Test
    void inspectorShouldNotBeCalledWithoutAProxyAction() throws Exception {
        ImapTestClient client = loggedIn("", recording(InspectionResult.modified(MODIFIED.getBytes(ISO_8859_1))));

        List<String> responses = client.sendLine("a FETCH 1 BODY[]").readUntilTagged("a");

        assertThat(responses).containsExactly(fetchResponse("BODY[]", MESSAGE), "a OK FETCH completed");
        assertThat(inspected).isEmpty();
    }

    @Test
    void severalInspectedFetchesShouldKeepTheirOrder() throws Exception {
        upstream.message(2, MODIFIED.getBytes(ISO_8859_1));
        ImapTestClient client = loggedIn(withInspection(""), recording(InspectionResult.unchanged()));

        List<String> responses = client.send("a FETCH 1 BODY[]\r\nb FETCH 2 BODY[]\r\nc NOOP\r\n").readUntilTagged("c");

        assertThat(responses).containsExactly(
            "* 1 FETCH (BODY[] {" + MESSAGE.length() + "}\r\n" + MESSAGE + ")", "* 1 FETCH (FLAGS (\\Seen))", "a OK FETCH completed",
            "* 2 FETCH (BODY[] {" + MODIFIED.length() + "}\r\n" + MODIFIED + ")", "* 2 FETCH (FLAGS (\\Seen))", "b OK FETCH completed",
            "c OK NOOP completed");
    }
}
