package org.jamesproxy.pop3;

import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.LeakContract;
import org.jamesproxy.testing.Pop3Dialect;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Connections dropped at any point leave nothing behind ({@link LeakContract}); POP3's transfers, after USER/PASS
 * (allowed in clear here): a RETR dropped at once, while the message is inspected, and one dropped once its status
 * line is read, while the message is delivered.
 */
class Pop3ProxyLeakTest implements LeakContract<FakePop3Upstream, ImapTestClient>, Pop3Dialect {
    private Pop3ProxyFixture fixture;
    private FakePop3Upstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Pop3ProxyFixture();
        upstream = fixture.upstream().message(1, MESSAGE);
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
    public String leakPolicy() {
        return policy("<allowPlaintextAuth>true</allowPlaintextAuth>" + Pop3ProxyFixture.withInspection());
    }

    @Override
    public String startTlsVerb() {
        return "STLS";
    }

    @Override
    public String firstCommand() {
        return "USER alice";
    }

    @Override
    public void interruptTransfer(ImapTestClient client, int variant) throws Exception {
        client.sendLine("USER alice");
        client.readLine();
        client.sendLine("PASS " + FakePop3Upstream.PASSWORD);
        client.readLine();
        client.sendLine("RETR 1");
        if (variant == 1) {
            client.readLine();
        }
    }
}
