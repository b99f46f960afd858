package org.jamesproxy.it.engines;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

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
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.engine.testing.ClamdDaemon;
import org.jamesproxy.engine.testing.SpamdDaemon;
import org.jamesproxy.engine.testing.TestMessages;
import org.jamesproxy.engine.testing.TestSignatures;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine mailets on the SMTP side, against a real clamd and a real spamd:
 * <ul>
 *   <li>in James's own {@code mailetcontainer.xml} (transport processor) for mail delivered to James's mailboxes:
 *       AntivirusScan records, and an infected mail is routed by the attribute to a virus repository instead of the
 *       mailbox; SpamCheck tags spam;</li>
 *   <li>in an SMTP proxy action: AntivirusScan with {@code onVirus=deny} and SpamCheck with {@code spamAction=deny}
 *       make the proxy answer 554 to EICAR and to GTUBE.</li>
 * </ul>
 */
@EndToEndTest
class SmtpEnginesEndToEndTest {
    @RegisterExtension
    @Order(1)
    static ClamdDaemon clamd = ClamdDaemon.withDefaults();

    @RegisterExtension
    @Order(2)
    static SpamdDaemon spamd = new SpamdDaemon();

    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int PROXY_PLAIN = FreePorts.next();
    private static final int PROXY_TLS = FreePorts.next();
    private static final String VIRUS_REPOSITORY = "memory://var/mail/virus/";

    /** What an admin adds to the transport processor (see the report / sample conf). */
    static String transportMailets() {
        return "<mailet match=\"All\" class=\"org.jamesproxy.mailet.AntivirusScan\">\n"
            + "                <host>" + clamd.host() + "</host>\n"
            + "                <port>" + clamd.port() + "</port>\n"
            + "                <onVirus>allow</onVirus>\n"
            + "            </mailet>\n"
            + "            <mailet match=\"HasMailAttributeWithValue=org.jamesproxy.antivirus.status, infected\" class=\"ToProcessor\">\n"
            + "                <processor>virus</processor>\n"
            + "            </mailet>\n"
            + "            <mailet match=\"All\" class=\"org.jamesproxy.mailet.SpamCheck\">\n"
            + "                <host>" + spamd.host() + "</host>\n"
            + "                <port>" + spamd.port() + "</port>\n"
            + "                <timeout>60s</timeout>\n"
            + "                <spamAction>tag</spamAction>\n"
            + "            </mailet>\n            ";
    }

    static String virusProcessor() {
        return "<processor state=\"virus\" enableJmx=\"false\">\n"
            + "            <mailet match=\"All\" class=\"ToRepository\">\n"
            + "                <repositoryPath>" + VIRUS_REPOSITORY + "</repositoryPath>\n"
            + "            </mailet>\n"
            + "        </processor>\n";
    }

    static String mailProxyXml(String keystoreSecret) {
        return "<mailproxy>\n"
            + "  <proxyActions>\n"
            + "    <action name=\"SpamDeny\"><mailet match=\"All\" class=\"org.jamesproxy.mailet.AntivirusScan\">"
            + "<host>" + clamd.host() + "</host><port>" + clamd.port() + "</port><onVirus>deny</onVirus></mailet>"
            + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.SpamCheck\">"
            + "<host>" + spamd.host() + "</host><port>" + spamd.port() + "</port><timeout>60s</timeout>"
            + "<spamAction>deny</spamAction></mailet></action>\n"
            + "  </proxyActions>\n"
            + "  <smtpproxy>\n"
            + "    <name>submission</name>\n"
            + "    <bind>127.0.0.1:" + PROXY_PLAIN + "</bind><tlsBind>127.0.0.1:" + PROXY_TLS + "</tlsBind>\n"
            + "    <helloName autodetect=\"false\">proxy.demo.local</helloName>\n"
            + "    <tls><keystore>file://conf/keystore</keystore><keystoreType>PKCS12</keystoreType>"
            + "<secret>" + keystoreSecret + "</secret></tls>\n"
            + "    <upstream><host>localhost</host><port>" + JAMES.jamesSmtp + "</port><tls>starttls</tls>"
            + "<trustStore>file://conf/ca.pem</trustStore><expectedHostName>localhost</expectedHostName></upstream>\n"
            + "    <proxyAction>SpamDeny</proxyAction>\n"
            + "    <limits><maxMessageSize>10M</maxMessageSize><maxRecipients>10</maxRecipients></limits>\n"
            + "  </smtpproxy>\n"
            + "</mailproxy>\n";
    }

    @RegisterExtension
    @Order(3)
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir -> {
        JamesHome home = JAMES.home(tmpDir.toPath()).pluginEnabled(true).write();
        JAMES.writeCaPem(home.confDirectory());
        MailetContainerXml.insertBeforeLocalDelivery(home, transportMailets());
        MailetContainerXml.addProcessor(home, virusProcessor());
        try {
            Files.writeString(home.mailProxyXml(), mailProxyXml(home.keystoreSecret()), UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return home.memoryConfiguration();
    })
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    private static GuiceJamesServer james;

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        james = server;
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
    }

    /** Straight to James's SMTP (no proxy): inbound delivery through the mailet container. */
    private static void sendToJames(byte[] raw) throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "localhost");
        properties.put("mail.smtp.port", String.valueOf(JAMES.jamesSmtp));
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "60000");
        properties.put("mail.smtp.localhost", "client.test");
        Session session = Session.getInstance(properties);
        MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(raw));
        Transport.send(message, new InternetAddress[] {new InternetAddress(ProxiedJames.ALICE)});
    }

    private static MimeMessage viaProxy(Session session, byte[] raw) throws MessagingException {
        MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(raw));
        message.setRecipients(Message.RecipientType.TO, ProxiedJames.ALICE);
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
                    String messageSubject = message.getSubject();
                    if (messageSubject != null && messageSubject.endsWith(subject)) {
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

    private static String awaitDelivered(String subject) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
            .until(() -> delivered(subject), Optional::isPresent).get();
    }

    private static long virusRepositorySize() throws Exception {
        return james.getProbe(MailRepositoryProbeImpl.class).getRepositoryMailCount(MailRepositoryUrl.from(VIRUS_REPOSITORY));
    }

    private static String unique(String subject) {
        return subject + " " + System.nanoTime();
    }

    @Test
    void infectedMailDeliveredToJamesShouldGoToTheVirusRepositoryNotTheMailbox() throws Exception {
        String infected = unique("invoice");
        String clean = unique("after the invoice");
        long before = virusRepositorySize();

        sendToJames(TestMessages.withEicarAttachment(infected));
        sendToJames(TestMessages.ham(clean));

        String cleanDelivered = awaitDelivered(clean);
        await().atMost(Duration.ofSeconds(60)).until(() -> virusRepositorySize() == before + 1);
        assertThat(delivered(infected)).isEmpty();
        assertThat(cleanDelivered).contains("X-Virus-Scanned: clamd", "X-Virus-Status: Clean", "X-Spam-Status: No, score=");
    }

    @Test
    void spamDeliveredToJamesShouldBeTagged() throws Exception {
        String subject = unique("cheap pills");

        sendToJames(TestMessages.gtube(subject));

        String delivered = awaitDelivered(subject);
        assertThat(delivered).contains("Subject: [SPAM] " + subject, "X-Spam-Flag: YES", "X-Virus-Status: Clean")
            .contains(TestSignatures.GTUBE);
    }

    @Test
    void gtubeThroughTheSmtpProxyWithSpamActionDenyShouldGet554() throws Exception {
        Session session = MailClients.smtpStartTls("localhost", PROXY_PLAIN, JAMES.clientSslContext());
        String spam = unique("proxy spam");
        String ham = unique("proxy ham");

        assertThatThrownBy(() -> Transport.send(viaProxy(session, TestMessages.gtube(spam))))
            .isInstanceOf(MessagingException.class)
            .hasStackTraceContaining("554")
            .hasStackTraceContaining("message classified as spam");
        Transport.send(viaProxy(session, TestMessages.ham(ham)));

        assertThat(awaitDelivered(ham)).contains("X-Spam-Status: No, score=");
        assertThat(delivered(spam)).isEmpty();
    }

    @Test
    void eicarThroughTheSmtpProxyWithOnVirusDenyShouldGet554() throws Exception {
        Session session = MailClients.smtpStartTls("localhost", PROXY_PLAIN, JAMES.clientSslContext());
        String infected = unique("proxy invoice");

        assertThatThrownBy(() -> Transport.send(viaProxy(session, TestMessages.withEicarAttachment(infected))))
            .isInstanceOf(MessagingException.class)
            .hasStackTraceContaining("554")
            .hasStackTraceContaining("virus JamesProxy-Test-Eicar");

        assertThat(delivered(infected)).isEmpty();
    }
}
