package org.jamesproxy.it.smtpserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.utils.DataProbeImpl;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stock James 3.8.1's SMTP server with {@code org.jamesproxy.smtpserver.StartTlsInjectionGuard} first in its
 * handler chain: the after-DATA injection that {@link StockJamesSmtpStartTlsHoleTest} shows working is refused and
 * the connection closed, in both of its forms; an honest STARTTLS after a transaction, and a message body with a
 * line that starts with "STARTTLS", still work.
 */
@EndToEndTest
class StartTlsInjectionGuardTest {
    private static final ProxiedJames JAMES = new ProxiedJames();

    @RegisterExtension
    static JamesServerExtension james = JamesSmtpServerFixture.james(JAMES, true);

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
    }

    @Test
    void startTlsWithACommandPipelinedBehindItAfterADataTransactionShouldBeRefusedAndClosed() throws Exception {
        try (JamesSmtpStartTlsInjectionProbe probe = new JamesSmtpStartTlsInjectionProbe(JAMES.jamesSmtp)) {
            assertThat(probe.oneMailTransaction(ProxiedJames.ALICE, "hello")).startsWith("250");

            probe.write("STARTTLS\r\nRSET\r\n");
            List<String> answer = probe.unsolicited();

            assertThat(answer).noneMatch(line -> line.startsWith("220")).noneMatch(line -> line.startsWith("250"))
                .last().isEqualTo("<end of stream>");
        }
    }

    @Test
    void startTlsPipelinedWithTheFinalDotShouldNeverHaveTheCommandBehindItExecuted() throws Exception {
        try (JamesSmtpStartTlsInjectionProbe probe = new JamesSmtpStartTlsInjectionProbe(JAMES.jamesSmtp)) {
            probe.replyLine();
            probe.command("EHLO probe.test");
            probe.command("MAIL FROM:<probe@example.com>");
            probe.command("RCPT TO:<" + ProxiedJames.ALICE + ">");
            probe.command("DATA");

            // The framer may cut every line of this packet before the final dot switches detection back on.
            probe.write("Subject: probe\r\n\r\nhello\r\n.\r\nSTARTTLS\r\nRSET\r\n");
            List<String> inClear = new java.util.ArrayList<>();
            inClear.add(probe.replyLine());
            String next = probe.replyLine();
            inClear.add(next);
            if (next.startsWith("220")) {
                // The go-ahead came (the race was lost by the framer's check): the RSET must still not run inside TLS.
                try {
                    probe.startTls(JAMES.clientSslContext());
                    assertThat(probe.unsolicited()).noneMatch(line -> line.startsWith("250"));
                } catch (java.io.IOException e) {
                    // closed during the handshake: refused
                }
            } else {
                assertThat(probe.unsolicited()).noneMatch(line -> line.startsWith("250"));
            }
            assertThat(inClear.get(0)).as("the message itself").startsWith("250");
        }
    }

    @Test
    void anHonestStartTlsAfterATransactionShouldStillWorkAndBodiesMayMentionStartTls() throws Exception {
        try (JamesSmtpStartTlsInjectionProbe probe = new JamesSmtpStartTlsInjectionProbe(JAMES.jamesSmtp)) {
            assertThat(probe.oneMailTransaction(ProxiedJames.ALICE, "STARTTLS is a line of this body\r\nstarttls too"))
                .startsWith("250");
            assertThat(probe.command("NOOP")).startsWith("250");

            assertThat(probe.command("STARTTLS")).startsWith("220");
            probe.startTls(JAMES.clientSslContext());

            assertThat(probe.command("EHLO probe.test")).startsWith("250");
            assertThat(probe.command("MAIL FROM:<probe@example.com>")).startsWith("250");
            assertThat(probe.command("RCPT TO:<" + ProxiedJames.ALICE + ">")).startsWith("250");
            assertThat(probe.command("DATA")).startsWith("354");
            probe.write("Subject: over tls\r\n\r\nsecond\r\n.\r\n");
            assertThat(probe.replyLine()).startsWith("250");
            assertThat(probe.command("QUIT")).startsWith("221");
        }
    }
}
