package org.jamesproxy.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamesproxy.testing.DeadlinesContract;
import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.SmtpDialect;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.jamesproxy.testing.LazyUpstreamContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Clients that do nothing or trickle: no upstream connection until they do something ({@link LazyUpstreamContract}),
 * and the {@code <timeouts>} deadlines ({@link DeadlinesContract}). SMTP's login phase ends with AUTH or the first accepted MAIL.
 */
class SmtpProxyIdleClientsTest implements LazyUpstreamContract<FakeSmtpUpstream, SmtpTestClient>, DeadlinesContract<FakeSmtpUpstream, SmtpTestClient>, SmtpDialect {
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

    @Override
    public String farewell() {
        return "421";
    }

    @Override
    public String startTlsVerb() {
        return "STARTTLS";
    }

    @Override
    public void logIn(SmtpTestClient client) throws Exception {
        assertThat(client.command("MAIL FROM:<alice@example.com>")).startsWith("250");
    }
}
