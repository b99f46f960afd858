package org.jamesproxy.it.smtp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rule actions in a real James: a proxy action made of {@code HeaderRules} (an {@code InspectionRuleMailet}),
 * loaded by James's Guice mailet loader, so quarantine gets James's own MailRepositoryStore injected and stores into
 * the default-protocol path {@code var/mail/quarantine}. What an SMTP client sees for quarantine, tempfail and drop,
 * and what reaches the mailbox.
 */
@EndToEndTest
class SmtpInspectionActionsEndToEndTest {
    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int PROXY_PLAIN = FreePorts.next();
    private static final int PROXY_TLS = FreePorts.next();
    private static final MailRepositoryUrl QUARANTINE = MailRepositoryUrl.from("memory://var/mail/quarantine");

    @RegisterExtension
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir -> {
        JamesHome home = JAMES.home(tmpDir.toPath()).pluginEnabled(true).write();
        JAMES.writeCaPem(home.confDirectory());
        writeUnchecked(home.mailProxyXml(), mailProxyXml(home.keystoreSecret()));
        return home.memoryConfiguration();
    })
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    static String mailProxyXml(String keystoreSecret) {
        return "<mailproxy>\n"
            + "  <proxyActions>\n"
            + "    <action name=\"Rules\"><mailet match=\"All\" class=\"org.jamesproxy.mailet.HeaderRules\">"
            + "<rules>X-Test ~ ^hold$ = quarantine; X-Test ~ ^later$ = tempfail; X-Test ~ ^drop$ = drop</rules>"
            + "<denyMessage>Held by the mail proxy: %(reason)%. Recovery id: %(recovery)%</denyMessage>"
            + "<alarm>false</alarm>"
            + "</mailet></action>\n"
            + "  </proxyActions>\n"
            + "  <smtpproxy>\n"
            + "    <name>rules</name>\n"
            + "    <bind>127.0.0.1:" + PROXY_PLAIN + "</bind><tlsBind>127.0.0.1:" + PROXY_TLS + "</tlsBind>\n"
            + "    <helloName autodetect=\"false\">proxy.demo.local</helloName>\n"
            + "    <tls><keystore>file://conf/keystore</keystore><keystoreType>PKCS12</keystoreType>"
            + "<secret>" + keystoreSecret + "</secret></tls>\n"
            + "    <upstream><host>localhost</host><port>" + JAMES.jamesSmtp + "</port><tls>starttls</tls>"
            + "<trustStore>file://conf/ca.pem</trustStore><expectedHostName>localhost</expectedHostName></upstream>\n"
            + "    <proxyAction>Rules</proxyAction>\n"
            + "  </smtpproxy>\n"
            + "</mailproxy>\n";
    }

    private static void writeUnchecked(Path file, String content) {
        try {
            Files.writeString(file, content, UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
    }

    private static MimeMessage message(Session session, String subject, String xTest) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("bob@demo.local"));
        message.setRecipients(Message.RecipientType.TO, ProxiedJames.ALICE);
        message.setSubject(subject);
        message.setHeader("X-Test", xTest);
        message.setText("Body of " + subject + "\r\n");
        message.saveChanges();
        return message;
    }

    private static Optional<String> delivered(String subject) throws Exception {
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                for (Message message : inbox.getMessages()) {
                    if (subject.equals(message.getSubject())) {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        message.writeTo(out);
                        return Optional.of(out.toString(UTF_8));
                    }
                }
                return Optional.empty();
            } finally {
                inbox.close(false);
            }
        }
    }

    private static String unique(String subject) {
        return subject + " " + System.nanoTime();
    }

    @Test
    void quarantineShouldDeliverANoticeWithTheRecoveryIdAndKeepTheOriginalInJamesRepository(GuiceJamesServer server) throws Exception {
        Session session = MailClients.smtpStartTls("localhost", PROXY_PLAIN, JAMES.clientSslContext());
        String subject = unique("held");

        Transport.send(message(session, subject, "hold"));

        String raw = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> delivered("[Denied] " + subject), Optional::isPresent).get();
        String notice = (String) new MimeMessage(null, new java.io.ByteArrayInputStream(raw.getBytes(UTF_8))).getContent();
        assertThat(notice).contains("Held by the mail proxy: header X-Test matches ^hold$. Recovery id: ")
            .doesNotContain("Body of " + subject);
        MailRepositoryProbeImpl repositories = server.getProbe(MailRepositoryProbeImpl.class);
        List<MailKey> keys = repositories.listMailKeys(QUARANTINE);
        MailKey key = keys.stream().filter(candidate -> notice.contains("Recovery id: " + candidate.asString())).findFirst()
            .orElseThrow(() -> new AssertionError("no quarantined mail with the notice's recovery id among " + keys));
        MimeMessage original = repositories.getMail(QUARANTINE, key).getMessage();
        assertThat(original.getSubject()).isEqualTo(subject);
        assertThat(original.getHeader("X-Test", null)).isEqualTo("hold");
        assertThat(((String) original.getContent()).trim()).isEqualTo("Body of " + subject);
    }

    @Test
    void tempfailShouldGive451AndDeliverNothing() throws Exception {
        Session session = MailClients.smtpStartTls("localhost", PROXY_PLAIN, JAMES.clientSslContext());
        String subject = unique("later");

        assertThatThrownBy(() -> Transport.send(message(session, subject, "later")))
            .isInstanceOf(MessagingException.class)
            .hasStackTraceContaining("451 4.7.1 header X-Test matches ^later$");
        String clean = unique("clean after tempfail");
        Transport.send(message(session, clean, "fine"));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> delivered(clean), Optional::isPresent);
        assertThat(delivered(subject)).isEmpty();
    }

    @Test
    void dropShouldCloseTheConnectionAndDeliverNothing() throws Exception {
        Session session = MailClients.smtpStartTls("localhost", PROXY_PLAIN, JAMES.clientSslContext());
        String subject = unique("dropped");

        assertThatThrownBy(() -> Transport.send(message(session, subject, "drop")))
            .isInstanceOf(MessagingException.class);
        String clean = unique("clean after drop");
        Transport.send(message(session, clean, "fine"));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> delivered(clean), Optional::isPresent);
        assertThat(delivered(subject)).isEmpty();
    }
}
