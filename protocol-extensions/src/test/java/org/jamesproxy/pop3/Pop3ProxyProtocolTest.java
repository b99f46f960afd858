package org.jamesproxy.pop3;

import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3Dialect;
import org.jamesproxy.testing.ProxyProtocolContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The PROXY protocol toward the upstream and from a trusted load balancer: {@link ProxyProtocolContract}. */
class Pop3ProxyProtocolTest implements ProxyProtocolContract<FakePop3Upstream, ImapTestClient>, Pop3Dialect {
    private Pop3ProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new Pop3ProxyFixture();
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
    public String greeting() {
        return "+OK";
    }

    @Override
    public String firstCommand() {
        return "CAPA";
    }
}
