package org.jamesproxy.imap;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapDialect;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.LazyUpstreamContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** No upstream connection for clients that did nothing: {@link LazyUpstreamContract}. */
class ImapProxyLazyUpstreamTest implements LazyUpstreamContract<FakeImapUpstream, ImapTestClient>, ImapDialect {
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
}
