package org.jamesproxy.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jamesproxy.testing.SmtpProxyFixture.policy;
import static org.jamesproxy.testing.SmtpProxyFixture.withInspection;

import java.time.Duration;

import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.policy.LoggingClientBlocker;
import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What an SMTP client and the upstream see for the tempfail, drop and block verdicts (deny: SmtpProxyPolicyTest). */
class SmtpProxyVerdictTest {
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
    void tempfailShouldGive451AndResetTheUpstreamTransaction() throws Exception {
        SmtpTestClient client = afterMessage(InspectionResult.tempfailed("Antivirus engine unavailable", new byte[] {'x'}));

        assertThat(client.reply()).isEqualTo("451 4.7.1 Antivirus engine unavailable");
        assertThat(client.command("NOOP")).startsWith("250");
        assertThat(upstream.received()).contains("RSET");
        assertThat(upstream.dataCommands()).isZero();
        assertThat(upstream.messages()).isEmpty();
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
    void dropShouldCloseWithout250AndTheUpstreamShouldDeliverNothing() throws Exception {
        SmtpTestClient client = afterMessage(InspectionResult.dropped("Virus found: EICAR"));

        String rest = client.readUntilClosed();

        assertThat(rest).startsWith("421 4.7.0 ").doesNotContain("250").doesNotContain("EICAR");
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 0);
        assertThat(upstream.dataCommands()).isZero();
        assertThat(upstream.messages()).isEmpty();
        assertThat(fixture.metrics().countFor(LoggingClientBlocker.BLOCK_REQUESTS)).isZero();
    }

    @Test
    void blockShouldCloseLikeDropAndReportTheClient() throws Exception {
        SmtpTestClient client = afterMessage(InspectionResult.blocked("Virus found: EICAR"));

        assertThat(client.readUntilClosed()).startsWith("421 4.7.0 ").doesNotContain("250");
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 0);
        assertThat(upstream.messages()).isEmpty();
        assertThat(fixture.metrics().countFor(LoggingClientBlocker.BLOCK_REQUESTS)).isEqualTo(1);
    }

    @Test
    void modifiedContentOfAnAllowedMessageShouldStillBeDelivered() throws Exception {
        SmtpTestClient client = afterMessage(InspectionResult.modified("Subject: changed\r\n\r\nbody\r\n".getBytes(ISO_8859_1)));

        assertThat(client.reply()).startsWith("250");
        assertThat(upstream.messages()).hasSize(1);
    }
}
