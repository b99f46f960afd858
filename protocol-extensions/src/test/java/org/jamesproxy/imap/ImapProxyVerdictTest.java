package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.ImapProxyFixture.withInspection;

import java.util.List;

import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapDialect;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.VerdictContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** What an IMAP client sees for the tempfail, drop and block verdicts ({@link VerdictContract}; deny: ImapProxyInspectionTest). */
class ImapProxyVerdictTest implements VerdictContract<FakeImapUpstream, ImapTestClient>, ImapDialect {
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

    @Override
    public ImapProxyFixture fixture() {
        return fixture;
    }

    private ImapTestClient loggedIn(InspectionResult verdict) throws Exception {
        fixture.start(policy(withInspection("")), upstream, (context, message) -> verdict);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();
        assertThat(client.sendLine("l LOGIN alice secret").readLine()).startsWith("l OK");
        return client;
    }

    @Override
    public ImapTestClient messageInspectedWith(InspectionResult verdict) throws Exception {
        return loggedIn(verdict).sendLine("a FETCH 1 BODY[]");
    }

    @Override
    public String policyFarewell() {
        return "* BYE Connection closed by policy\r\n";
    }

    @Override
    public String messagesMetric() {
        return "fetch";
    }

    /**
     * Fail closed: the message's content is left out of its FETCH response (nothing else was asked, so there is no
     * response at all), \\Seen is not set, and the command ends NO [UNAVAILABLE], so the client tries again later.
     */
    @Override
    public void assertTempfailAnswered(ImapTestClient client) throws Exception {
        List<String> responses = client.readUntilTagged("a");

        assertThat(responses).containsExactly("a NO [UNAVAILABLE] The message could not be inspected, try again later");
    }
}
