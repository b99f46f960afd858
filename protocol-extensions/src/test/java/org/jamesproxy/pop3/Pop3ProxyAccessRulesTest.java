package org.jamesproxy.pop3;

import org.jamesproxy.testing.AccessRulesContract;
import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.Pop3Dialect;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The connection rules ({@link AccessRulesContract}) on the POP3 proxy: refused with {@code -ERR}. */
class Pop3ProxyAccessRulesTest implements AccessRulesContract<FakePop3Upstream, ImapTestClient>, Pop3Dialect {
    private Pop3ProxyFixture fixture;
    private FakePop3Upstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Pop3ProxyFixture();
        upstream = fixture.upstream();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Override
    public Pop3ProxyFixture fixture() {
        return fixture;
    }

    @Override
    public FakePop3Upstream upstream() {
        return upstream;
    }

    @Override
    public String refusal() {
        return "-ERR";
    }

    @Override
    public String greeting() {
        return "+OK";
    }
}
