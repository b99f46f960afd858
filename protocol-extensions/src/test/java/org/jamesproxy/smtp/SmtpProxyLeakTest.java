package org.jamesproxy.smtp;

import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.LeakContract;
import org.jamesproxy.testing.SmtpDialect;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Connections dropped at any point leave nothing behind ({@link LeakContract}); SMTP's transfers: a message cut
 * short after DATA's 354, and a whole message dropped right after its final dot, while it is inspected or delivered.
 */
class SmtpProxyLeakTest implements LeakContract<FakeSmtpUpstream, SmtpTestClient>, SmtpDialect {
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
    public String startTlsVerb() {
        return "STARTTLS";
    }

    @Override
    public String firstCommand() {
        return "EHLO client.test";
    }

    @Override
    public void interruptTransfer(SmtpTestClient client, int variant) throws Exception {
        client.sendLine("EHLO client.test").readReply();
        client.command("MAIL FROM:<a@proxy.test>");
        client.command("RCPT TO:<b@proxy.test>");
        client.command("DATA");
        String message = new String(MESSAGE, java.nio.charset.StandardCharsets.ISO_8859_1);
        client.send(variant == 0 ? message.substring(0, 3000) : message + ".\r\n");
    }
}
