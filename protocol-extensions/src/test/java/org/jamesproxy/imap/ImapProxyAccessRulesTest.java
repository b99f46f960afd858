package org.jamesproxy.imap;

import org.jamesproxy.testing.AccessRulesContract;
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapDialect;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The connection rules ({@link AccessRulesContract}) on the IMAP proxy: refused with {@code * BYE}. */
class ImapProxyAccessRulesTest implements AccessRulesContract<FakeImapUpstream, ImapTestClient>, ImapDialect {
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
    public String refusal() {
        return "* BYE";
    }

    @Override
    public String greeting() {
        return "* OK";
    }
}
