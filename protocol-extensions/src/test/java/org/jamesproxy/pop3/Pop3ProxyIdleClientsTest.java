package org.jamesproxy.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamesproxy.testing.DeadlinesContract;
import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.Pop3Dialect;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.LazyUpstreamContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Clients that do nothing or trickle: no upstream connection until they do something ({@link LazyUpstreamContract}),
 * and the {@code <timeouts>} deadlines ({@link DeadlinesContract}).
 */
class Pop3ProxyIdleClientsTest implements LazyUpstreamContract<FakePop3Upstream, ImapTestClient>, DeadlinesContract<FakePop3Upstream, ImapTestClient>, Pop3Dialect {
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

    @Override
    public String farewell() {
        return "-ERR";
    }

    @Override
    public String startTlsVerb() {
        return "STLS";
    }

    @Override
    public void logIn(ImapTestClient client) throws Exception {
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(client.sendLine("PASS secret").readLine()).startsWith("+OK");
    }
}
