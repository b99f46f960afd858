package org.jamesproxy.it.smtpserver;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.utils.DataProbeImpl;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hole itself, in stock James 3.8.1 without the guard: after one mail transaction, {@code STARTTLS\r\nRSET\r\n}
 * in one packet gets the go-ahead, and the RSET sent in clear is answered inside TLS. This is what
 * {@link StartTlsInjectionGuardTest} shows closed; if a James upgrade fixes it, this test says so.
 */
@EndToEndTest
class StockJamesSmtpStartTlsHoleTest {
    private static final ProxiedJames JAMES = new ProxiedJames();

    @RegisterExtension
    static JamesServerExtension james = JamesSmtpServerFixture.james(JAMES, false);

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
    }

    @Test
    void plaintextPipelinedAfterStartTlsFollowingADataTransactionIsExecutedInsideTls() throws Exception {
        try (JamesSmtpStartTlsInjectionProbe probe = new JamesSmtpStartTlsInjectionProbe(JAMES.jamesSmtp)) {
            assertThat(probe.oneMailTransaction(ProxiedJames.ALICE, "hello")).startsWith("250");

            probe.write("STARTTLS\r\nRSET\r\n");
            assertThat(probe.replyLine()).startsWith("220");
            probe.startTls(JAMES.clientSslContext());

            assertThat(probe.unsolicited()).as("the reply to the RSET sent in clear, received over TLS")
                .first().asString().startsWith("250");
        }
    }

    @Test
    void onAFreshSessionJamesRefusesItAlready() throws Exception {
        try (JamesSmtpStartTlsInjectionProbe probe = new JamesSmtpStartTlsInjectionProbe(JAMES.jamesSmtp)) {
            probe.replyLine();
            probe.command("EHLO probe.test");

            probe.write("STARTTLS\r\nRSET\r\n");

            assertThat(probe.unsolicited()).doesNotContain("<silent>").noneMatch(line -> line.startsWith("220"));
        }
    }
}
