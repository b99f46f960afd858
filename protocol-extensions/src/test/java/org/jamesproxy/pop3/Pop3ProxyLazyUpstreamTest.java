package org.jamesproxy.pop3;

import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.Pop3Dialect;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.LazyUpstreamContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** No upstream connection for clients that did nothing: {@link LazyUpstreamContract}. */
class Pop3ProxyLazyUpstreamTest implements LazyUpstreamContract<FakePop3Upstream, ImapTestClient>, Pop3Dialect {
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
    public String greeting() {
        return "+OK proxy.test POP3 proxy ready";
    }
}
