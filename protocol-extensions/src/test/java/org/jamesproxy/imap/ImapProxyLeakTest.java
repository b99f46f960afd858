package org.jamesproxy.imap;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapDialect;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.LeakContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Connections dropped at any point leave nothing behind ({@link LeakContract}); IMAP's transfers: an APPEND literal
 * cut short, and a FETCH of the message (after CAPABILITY on the plain port, LOGIN on the TLS port) dropped while it
 * is inspected.
 */
class ImapProxyLeakTest implements LeakContract<FakeImapUpstream, ImapTestClient>, ImapDialect {
    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream().message(1, MESSAGE);
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
    public String startTlsVerb() {
        return "STARTTLS";
    }

    @Override
    public String firstCommand() {
        return "LOGIN u p";
    }

    @Override
    public void interruptTransfer(ImapTestClient client, int variant) throws Exception {
        if (variant == 0) {
            client.send("a APPEND INBOX {100000+}\r\n" + "q".repeat(3000));
            return;
        }
        client.sendLine(client.isTls() ? "a LOGIN u p" : "a CAPABILITY");
        client.readLine();
        client.sendLine("b FETCH 1 BODY[]");
    }
}
