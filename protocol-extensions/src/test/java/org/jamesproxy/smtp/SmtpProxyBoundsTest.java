package org.jamesproxy.smtp;

import org.jamesproxy.testing.BoundsContract;
import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.SmtpDialect;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The line bounds of {@code <limits>} ({@link BoundsContract}): an overlong command line gets
 * {@code 500 5.5.0 Line too long} and the close; an overlong reply of the mail server to a command it was asked
 * loses the connection to it ({@code 451 4.4.2}: the transaction is not accepted).
 */
class SmtpProxyBoundsTest implements BoundsContract<FakeSmtpUpstream, SmtpTestClient>, SmtpDialect {
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
    public String commandCarrying(String filler) {
        return "MAIL FROM:<" + filler + "@proxy.test>";
    }

    @Override
    public String lineTooLong() {
        return "500 5.5.0 Line too long";
    }

    @Override
    public FakeSmtpUpstream answeringWithALongLine(FakeSmtpUpstream upstream, String filler) {
        return upstream.mailReply("250 2.1.0 " + filler);
    }

    @Override
    public String commandAnsweredWithALongLine() {
        return "MAIL FROM:<a@proxy.test>";
    }

    @Override
    public String upstreamLineTooLong() {
        return "451 4.4.2 Connection to the mail server lost, message not accepted";
    }
}
