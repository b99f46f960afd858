package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.Pop3ProxyFixture.policy;
import static org.jamesproxy.testing.Pop3ProxyFixture.withInspection;

import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.policy.LoggingClientBlocker;
import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a POP3 client sees for the tempfail, drop and block verdicts (deny: Pop3ProxyInspectionTest). */
class Pop3ProxyVerdictTest {
    private static final String MESSAGE = "From: alice@example.com\r\nSubject: original\r\n\r\nHello\r\n";

    private Pop3ProxyFixture fixture;
    private FakePop3Upstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Pop3ProxyFixture();
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
        client.sendLine("USER alice").readLine();
        assertThat(client.sendLine("PASS secret").readLine()).startsWith("+OK");
        return client;
    }

    @Test
    void tempfailShouldReplaceTheMessageByTheNotice() throws Exception {
        String notice = "Subject: [Denied] original\r\n\r\nScanner unavailable.\r\n";
        ImapTestClient client = loggedIn(InspectionResult.tempfailed("scanner down", notice.getBytes(ISO_8859_1)));

        assertThat(client.sendLine("RETR 1").readLine()).isEqualTo("+OK " + notice.length() + " octets");
        assertThat(Pop3Responses.readMessage(client)).isEqualTo(notice);
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
    }

    @Test
    void dropShouldAnswerErrAndClose() throws Exception {
        ImapTestClient client = loggedIn(InspectionResult.dropped("Virus found: EICAR"));

        client.sendLine("RETR 1");

        assertThat(client.readUntilClosed()).isEqualTo("-ERR [SYS/PERM] Connection closed by policy\r\n");
        assertThat(fixture.metrics().countFor(LoggingClientBlocker.BLOCK_REQUESTS)).isZero();
    }

    @Test
    void blockShouldCloseAndReportTheClient() throws Exception {
        ImapTestClient client = loggedIn(InspectionResult.blocked("Virus found: EICAR"));

        client.sendLine("RETR 1");

        assertThat(client.readUntilClosed()).isEqualTo("-ERR [SYS/PERM] Connection closed by policy\r\n");
        assertThat(fixture.metrics().countFor(LoggingClientBlocker.BLOCK_REQUESTS)).isEqualTo(1);
    }
}
