package org.jamesproxy.smtp;

import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.jamesproxy.testing.SmtpDialect;
import org.jamesproxy.testing.ProxyProtocolContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The PROXY protocol toward the upstream and from a trusted load balancer: {@link ProxyProtocolContract}. */
class SmtpProxyProtocolTest implements ProxyProtocolContract<FakeSmtpUpstream, SmtpTestClient>, SmtpDialect {
    private SmtpProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new SmtpProxyFixture();
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
    public String greeting() {
        return "220";
    }

    @Override
    public String firstCommand() {
        return "EHLO client.test";
    }
}
