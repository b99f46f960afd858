package org.jamesproxy.smtp;

import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.SmtpDialect;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.jamesproxy.testing.LazyUpstreamContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** No upstream connection for clients that did nothing: {@link LazyUpstreamContract}. */
class SmtpProxyLazyUpstreamTest implements LazyUpstreamContract<FakeSmtpUpstream, SmtpTestClient>, SmtpDialect {
    private SmtpProxyFixture fixture;
    private FakeSmtpUpstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new SmtpProxyFixture();
        upstream = fixture.upstream();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Override
    public SmtpProxyFixture fixture() {
        return fixture;
    }

    @Override
    public FakeSmtpUpstream upstream() {
        return upstream;
    }

    @Override
    public String greeting() {
        return "220 proxy.test ESMTP";
    }
}
