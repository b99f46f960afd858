package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamesproxy.testing.DeadlinesContract;
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapDialect;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.LazyUpstreamContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Clients that do nothing or trickle: no upstream connection until they do something ({@link LazyUpstreamContract}),
 * and the {@code <timeouts>} deadlines ({@link DeadlinesContract}).
 */
class ImapProxyIdleClientsTest implements LazyUpstreamContract<FakeImapUpstream, ImapTestClient>, DeadlinesContract<FakeImapUpstream, ImapTestClient>, ImapDialect {
    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Override
    public ImapProxyFixture fixture() {
        return fixture;
    }

    @Override
    public FakeImapUpstream upstream() {
        return upstream;
    }

    @Override
    public String greeting() {
        return "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] proxy.test";
    }

    @Override
    public String farewell() {
        return "* BYE";
    }

    @Override
    public String startTlsVerb() {
        return "STARTTLS";
    }

    @Override
    public void logIn(ImapTestClient client) throws Exception {
        assertThat(client.sendLine("l LOGIN user secret").readLine()).startsWith("l OK");
    }
}
