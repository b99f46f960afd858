package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.Pop3ProxyFixture.withInspection;

import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3Dialect;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.jamesproxy.testing.VerdictContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** What a POP3 client sees for the tempfail, drop and block verdicts ({@link VerdictContract}; deny: Pop3ProxyInspectionTest). */
class Pop3ProxyVerdictTest implements VerdictContract<FakePop3Upstream, ImapTestClient>, Pop3Dialect {
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

    @Override
    public Pop3ProxyFixture fixture() {
        return fixture;
    }

    private ImapTestClient loggedIn(InspectionResult verdict) throws Exception {
        fixture.start(policy(withInspection("")), upstream, (context, message) -> verdict);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();
        client.sendLine("USER alice").readLine();
        assertThat(client.sendLine("PASS secret").readLine()).startsWith("+OK");
        return client;
    }

    @Override
    public ImapTestClient messageInspectedWith(InspectionResult verdict) throws Exception {
        return loggedIn(verdict).sendLine("RETR 1");
    }

    @Override
    public String policyFarewell() {
        return "-ERR [SYS/PERM] Connection closed by policy\r\n";
    }

    @Override
    public String messagesMetric() {
        return "retr";
    }

    /** The notice replaces the message, and the session goes on. */
    @Override
    public void assertTempfailAnswered(ImapTestClient client) throws Exception {
        assertThat(client.readLine()).isEqualTo("+OK " + TEMPFAIL_NOTICE.length() + " octets");
        assertThat(Pop3Responses.readMessage(client)).isEqualTo(TEMPFAIL_NOTICE);
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
    }
}
