package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.ImapProxyFixture.policy;
import static org.jamesproxy.testing.ImapProxyFixture.withInspection;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * APPEND through the proxy action ({@code <inspection><append>inspect}): what the server stores is the inspected
 * message, a deny verdict never reaches it, and the default for a policy toward the organisation's own server relays.
 */
class ImapProxyAppendInspectionTest {
    private static final String MESSAGE = "From: alice@example.com\r\nSubject: draft\r\n\r\nsecret plans\r\n";
    private static final String INSPECTED = "From: alice@example.com\r\nSubject: draft\r\n\r\n[removed]\r\n";
    private static final String APPEND_INSPECT = "<inspection><append>inspect</append></inspection>";

    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;
    private final AtomicInteger inspections = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private ImapTestClient loggedIn(String inspection, InspectionResult result) throws Exception {
        MessageInspector inspector = (context, message) -> {
            inspections.incrementAndGet();
            assertThat(new String(message, ISO_8859_1)).isEqualTo(MESSAGE);
            return result;
        };
        fixture.start(policy(withInspection(inspection)), upstream, inspector);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();
        assertThat(client.sendLine("l LOGIN alice secret").readLine()).startsWith("l OK");
        return client;
    }

    @Test
    void synchronizingAppendShouldStoreTheInspectedMessage() throws Exception {
        ImapTestClient client = loggedIn(APPEND_INSPECT, InspectionResult.modified(INSPECTED.getBytes(ISO_8859_1)));

        String continuation = client.sendLine("a APPEND Drafts (\\Draft) {" + MESSAGE.length() + "}").readLine();
        List<String> responses = client.send(MESSAGE + "\r\n").readUntilTagged("a");
        List<String> next = client.sendLine("b NOOP").readUntilTagged("b");

        assertThat(continuation).startsWith("+ ");
        assertThat(responses).hasSize(1);
        assertThat(responses.get(0)).startsWith("a OK [APPENDUID");
        assertThat(next).containsExactly("b OK NOOP completed");
        assertThat(upstream.receivedLiterals()).extracting(bytes -> new String(bytes, ISO_8859_1)).containsExactly(INSPECTED);
        assertThat(upstream.receivedLines()).anyMatch(line -> line.startsWith("a APPEND Drafts (\\Draft) {" + INSPECTED.length()));
        assertThat(inspections).hasValue(1);
    }

    @Test
    void withoutLiteralPlusUpstreamTheServersContinuationShouldStayHidden() throws Exception {
        upstream.greeting("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Fake IMAP ready").capabilities("IMAP4rev1 AUTH=PLAIN");
        ImapTestClient client = loggedIn(APPEND_INSPECT, InspectionResult.modified(INSPECTED.getBytes(ISO_8859_1)));

        client.sendLine("a APPEND Drafts {" + MESSAGE.length() + "}").readLine();
        List<String> responses = client.send(MESSAGE + "\r\n").readUntilTagged("a");

        assertThat(responses).hasSize(1);
        assertThat(responses.get(0)).startsWith("a OK");
        assertThat(upstream.receivedLiterals()).extracting(bytes -> new String(bytes, ISO_8859_1)).containsExactly(INSPECTED);
    }

    @Test
    void nonSynchronizingAppendShouldBeInspectedToo() throws Exception {
        ImapTestClient client = loggedIn(APPEND_INSPECT, InspectionResult.unchanged());

        List<String> responses = client.send("a APPEND Sent {" + MESSAGE.length() + "+}\r\n" + MESSAGE + "\r\nb NOOP\r\n")
            .readUntilTagged("b");

        assertThat(responses).hasSize(2);
        assertThat(responses.get(0)).startsWith("a OK");
        assertThat(responses.get(1)).isEqualTo("b OK NOOP completed");
        assertThat(upstream.receivedLiterals()).extracting(bytes -> new String(bytes, ISO_8859_1)).containsExactly(MESSAGE);
    }

    @Test
    void deniedAppendShouldBeRefusedAndNeverReachTheServer() throws Exception {
        ImapTestClient client = loggedIn(APPEND_INSPECT,
            InspectionResult.denied("attachment type not allowed", "notice".getBytes(ISO_8859_1)));

        client.sendLine("a APPEND Sent {" + MESSAGE.length() + "}").readLine();
        List<String> responses = client.send(MESSAGE + "\r\n").readUntilTagged("a");
        List<String> next = client.sendLine("b NOOP").readUntilTagged("b");

        assertThat(responses).containsExactly("a NO [CANNOT] Message refused by policy: attachment type not allowed");
        assertThat(next).containsExactly("b OK NOOP completed");
        assertThat(upstream.receivedLiterals()).isEmpty();
        assertThat(upstream.receivedLines()).noneMatch(line -> line.contains("APPEND"));
    }

    @Test
    void tempfailedAppendShouldAskTheClientToTryAgain() throws Exception {
        ImapTestClient client = loggedIn(APPEND_INSPECT,
            InspectionResult.tempfailed("clamd unavailable", "notice".getBytes(ISO_8859_1)));

        List<String> responses = client.send("a APPEND Sent {" + MESSAGE.length() + "+}\r\n" + MESSAGE + "\r\n").readUntilTagged("a");

        assertThat(responses).containsExactly("a NO [UNAVAILABLE] The message could not be inspected, try again later");
        assertThat(upstream.receivedLiterals()).isEmpty();
    }

    @Test
    void appendAboveTheInspectionLimitShouldBeRefused() throws Exception {
        ImapTestClient client = loggedIn("<inspection><maxMessageSize>10</maxMessageSize><append>inspect</append></inspection>",
            InspectionResult.unchanged());

        List<String> responses = client.send("a APPEND Sent {" + MESSAGE.length() + "+}\r\n" + MESSAGE + "\r\nb NOOP\r\n")
            .readUntilTagged("b");

        assertThat(responses).containsExactly("a NO [TOOBIG] The message is larger than the proxy can inspect",
            "b OK NOOP completed");
        assertThat(upstream.receivedLiterals()).isEmpty();
    }

    @Test
    void appendShouldBeRelayedUninspectedByDefaultTowardTheOrganisationsServer() throws Exception {
        ImapTestClient client = loggedIn("", InspectionResult.modified(INSPECTED.getBytes(ISO_8859_1)));

        client.send("a APPEND Sent {" + MESSAGE.length() + "+}\r\n" + MESSAGE + "\r\n").readUntilTagged("a");

        assertThat(upstream.receivedLiterals()).extracting(bytes -> new String(bytes, ISO_8859_1)).containsExactly(MESSAGE);
        assertThat(inspections).hasValue(0);
    }
}
