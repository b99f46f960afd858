package org.jamesproxy.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jamesproxy.testing.SmtpProxyFixture.withInspection;

import java.time.Duration;

import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.SmtpDialect;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.jamesproxy.testing.VerdictContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an SMTP client and the upstream see for the tempfail, drop and block verdicts ({@link VerdictContract}; deny:
 * SmtpProxyPolicyTest); here the retry after a tempfail and a modified message.
 */
class SmtpProxyVerdictTest implements VerdictContract<FakeSmtpUpstream, SmtpTestClient>, SmtpDialect {
    private static final String MESSAGE = "Subject: hello\r\n\r\nbody\r\n";

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
    public SmtpTestClient messageInspectedWith(InspectionResult verdict) throws Exception {
        return afterMessage(verdict);
    }

    /** 421 and the close, the reason kept from the client. */
    @Override
    public String policyFarewell() {
        return "421 4.7.0 proxy.test closing connection\r\n";
    }

    @Override
    public String messagesMetric() {
        return "messages";
    }

    /** 451 with the reason; the upstream transaction is reset, nothing delivered, the session goes on. */
    @Override
    public void assertTempfailAnswered(SmtpTestClient client) throws Exception {
        assertThat(client.reply()).isEqualTo("451 4.7.1 " + TEMPFAIL_REASON);
        assertThat(client.command("NOOP")).startsWith("250");
        assertThat(upstream.received()).contains("RSET");
        assertThat(upstream.dataCommands()).isZero();
        assertThat(upstream.messages()).isEmpty();
    }

    /** The upstream's connection is closed without a DATA: nothing delivered. */
    @Override
    public void assertWithheldFromTheUpstream() {
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 0);
        assertThat(upstream.dataCommands()).isZero();
        assertThat(upstream.messages()).isEmpty();
    }

    private SmtpTestClient afterMessage(InspectionResult verdict) throws Exception {
        fixture.start(policy(withInspection()), upstream, (context, message) -> verdict);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(client.command("RCPT TO:<b@proxy.test>")).startsWith("250");
        assertThat(client.command("DATA")).startsWith("354");
        client.send(MESSAGE + ".\r\n");
        return client;
    }

    @Test
    void clientMayRetryTheSameTransactionAfterATempfail() throws Exception {
        SmtpTestClient client = afterMessage(InspectionResult.tempfailed("try later", new byte[] {'x'}));
        assertThat(client.reply()).startsWith("451 4.7.1");

        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(client.command("RCPT TO:<b@proxy.test>")).startsWith("250");
        assertThat(client.command("DATA")).startsWith("354");
    }

    @Test
    void modifiedContentOfAnAllowedMessageShouldStillBeDelivered() throws Exception {
        SmtpTestClient client = afterMessage(InspectionResult.modified("Subject: changed\r\n\r\nbody\r\n".getBytes(ISO_8859_1)));

        assertThat(client.reply()).startsWith("250");
        assertThat(upstream.messages()).hasSize(1);
    }
}
