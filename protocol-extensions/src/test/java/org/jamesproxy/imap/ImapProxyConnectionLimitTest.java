package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.ImapProxyFixture.policy;

import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** James's connectionLimit / connectionLimitPerIP keys apply to the proxy listeners as they do to James's own. */
class ImapProxyConnectionLimitTest {
    private ImapProxyFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void connectionBeyondTheLimitShouldBeClosedWithoutReachingTheUpstream() throws Exception {
        fixture.start(policy("<connectionLimit>1</connectionLimit>"), fixture.upstream());
        ImapTestClient first = fixture.tlsClient();
        assertThat(first.readLine()).startsWith("* OK");

        ImapTestClient second = fixture.plainClient();

        assertThat(second.readUntilClosed()).doesNotContain("* OK");
        assertThat(first.sendLine("n NOOP").readLine()).startsWith("n OK");
    }

    @Test
    void perIpLimitShouldCloseTheSecondConnectionFromTheSameAddress() throws Exception {
        fixture.start(policy("<connectionLimitPerIP>1</connectionLimitPerIP>"), fixture.upstream());
        ImapTestClient first = fixture.plainClient();
        assertThat(first.readLine()).startsWith("* OK");

        ImapTestClient second = fixture.plainClient();

        assertThat(second.readUntilClosed()).doesNotContain("* OK");
    }
}
