package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.ImapProxyFixture.policy;

import java.time.Duration;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ordinary idle timeout closes a silent client; a client in IDLE is judged by the longer IDLE timeout. */
class ImapProxyTimeoutTest {
    private static final String SHORT_TIMEOUTS = "<idleTimeout>1s</idleTimeout><imapIdleTimeout>30s</imapIdleTimeout>";

    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream();
        fixture.start(policy(SHORT_TIMEOUTS), upstream);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private ImapTestClient loggedIn() throws Exception {
        ImapTestClient client = fixture.tlsClient();
        assertThat(client.readLine()).startsWith("* OK");
        assertThat(client.sendLine("l LOGIN user secret").readLine()).startsWith("l OK");
        return client;
    }

    @Test
    void silentClientShouldGetByeAfterTheIdleTimeout() throws Exception {
        ImapTestClient client = loggedIn();

        String rest = client.readUntilClosed();

        assertThat(rest).contains("* BYE Autologout");
    }

    @Test
    void clientInIdleShouldNotBeCutByTheOrdinaryTimeout() throws Exception {
        ImapTestClient client = loggedIn();
        assertThat(client.sendLine("i IDLE").readLine()).startsWith("+");

        assertThat(client.isSilentFor(Duration.ofMillis(2500))).isTrue();
        assertThat(client.isClosedByPeer()).isFalse();

        assertThat(client.sendLine("DONE").readLine()).startsWith("i OK");
        assertThat(client.sendLine("n NOOP").readLine()).startsWith("n OK");
    }
}
