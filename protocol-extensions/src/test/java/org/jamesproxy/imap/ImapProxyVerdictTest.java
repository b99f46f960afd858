package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.ImapProxyFixture.policy;
import static org.jamesproxy.testing.ImapProxyFixture.withInspection;

import java.util.List;

import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.policy.LoggingClientBlocker;
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What an IMAP client sees for the tempfail, drop and block verdicts (deny: ImapProxyInspectionTest). */
class ImapProxyVerdictTest {
    private static final String MESSAGE = "From: alice@example.com\r\nSubject: original\r\n\r\nHello\r\n";

    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream().message(1, MESSAGE.getBytes(ISO_8859_1));
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private ImapTestClient loggedIn(InspectionResult verdict) throws Exception {
        fixture.start(policy(withInspection("")), upstream, (context, message) -> verdict);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();
        assertThat(client.sendLine("l LOGIN alice secret").readLine()).startsWith("l OK");
        return client;
    }

    @Test
    void tempfailShouldReplaceTheMessageByTheNotice() throws Exception {
        String notice = "Subject: [Denied] original\r\n\r\nScanner unavailable.\r\n";
        ImapTestClient client = loggedIn(InspectionResult.tempfailed("scanner down", notice.getBytes(ISO_8859_1)));

        List<String> responses = client.sendLine("a FETCH 1 BODY[]").readUntilTagged("a");

        assertThat(responses).containsExactly("* 1 FETCH (BODY[] {" + notice.length() + "}\r\n" + notice + " FLAGS (\\Seen))",
            "a OK FETCH completed");
    }

    @Test
    void dropShouldSayByeAndClose() throws Exception {
        ImapTestClient client = loggedIn(InspectionResult.dropped("Virus found: EICAR"));

        client.sendLine("a FETCH 1 BODY[]");

        assertThat(client.readUntilClosed()).isEqualTo("* BYE Connection closed by policy\r\n");
        assertThat(fixture.metrics().countFor("imapproxy-fetch-denied")).isEqualTo(1);
        assertThat(fixture.metrics().countFor(LoggingClientBlocker.BLOCK_REQUESTS)).isZero();
    }

    @Test
    void blockShouldSayByeCloseAndReportTheClient() throws Exception {
        ImapTestClient client = loggedIn(InspectionResult.blocked("Virus found: EICAR"));

        client.sendLine("a FETCH 1 BODY[]");

        assertThat(client.readUntilClosed()).isEqualTo("* BYE Connection closed by policy\r\n");
        assertThat(fixture.metrics().countFor(LoggingClientBlocker.BLOCK_REQUESTS)).isEqualTo(1);
    }
}
