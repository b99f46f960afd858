package org.jamesproxy.imap;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.ImapDialect;
import org.jamesproxy.testing.ProxyProtocolContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The PROXY protocol toward the upstream and from a trusted load balancer: {@link ProxyProtocolContract}. */
class ImapProxyProtocolTest implements ProxyProtocolContract<FakeImapUpstream, ImapTestClient>, ImapDialect {
    private ImapProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new ImapProxyFixture();
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
    public String greeting() {
        return "* OK";
    }

    @Override
    public String firstCommand() {
        return "CAPABILITY";
    }
}
