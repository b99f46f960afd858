package org.jamesproxy.it.container;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Multipart;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.awaitility.Awaitility;
import org.jamesproxy.demo.ProxyAction;
import org.jamesproxy.demo.ProxySettings;
import org.jamesproxy.it.support.MailClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The antivirus proxy action in the stock James container, against Debian's clamd in its own container: a message
 * carrying the EICAR test file sent through the SMTP proxy reaches Postfix/Dovecot with the infected attachment
 * replaced by the deny message (same part count), and the same message read through an IMAP policy with the action
 * comes back cleaned as well. A plain IMAP policy without action reads the mailbox as Dovecot stores it.
 */
@ContainerTest
class AntivirusContainerTest {
    private static final int SMTP_PLAIN = ContainerPorts.next();
    private static final int SMTP_TLS = ContainerPorts.next();
    private static final int IMAP_PLAIN = ContainerPorts.next();
    private static final int IMAP_TLS = ContainerPorts.next();
    private static final int SCANNING_IMAP_PLAIN = ContainerPorts.next();
    private static final int SCANNING_IMAP_TLS = ContainerPorts.next();

    @TempDir
    static Path home;

    private static ClamdContainer clamd;
    private static ContainerMailStack stack;

    @BeforeAll
    static void startStack() {
        clamd = new ClamdContainer();
        clamd.start();
        stack = ContainerMailStack.start(home, AntivirusContainerTest::policies);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
        if (clamd != null) {
            clamd.close();
        }
    }

    private static ProxyAction antivirus() {
        return ProxyAction.of("Antivirus", "<mailet match=\"All\" class=\"org.jamesproxy.mailet.AntivirusScan\">"
            + "<host>127.0.0.1</host><port>" + clamd.port() + "</port><onVirus>strip</onVirus>"
            + "<denyMessage>The attachment %(filename)% was removed: it carried %(virus)%.</denyMessage></mailet>");
    }

    private static List<ProxySettings> policies(ContainerMailStack stack) {
        return List.of(
            policy(ProxySettings.smtp("smtp-av"), stack, SMTP_PLAIN, SMTP_TLS)
                .upstream("localhost", stack.postfix.smtpPort(), "starttls")
                .proxyAction(antivirus()).build(),
            policy(ProxySettings.imap("imap-plain"), stack, IMAP_PLAIN, IMAP_TLS)
                .upstream("localhost", stack.dovecot.imapsPort(), "implicit").build(),
            policy(ProxySettings.imap("imap-av"), stack, SCANNING_IMAP_PLAIN, SCANNING_IMAP_TLS)
                .upstream("localhost", stack.dovecot.imapsPort(), "implicit")
                .proxyAction(antivirus()).build());
    }

    private static ProxySettings.Builder policy(ProxySettings.Builder builder, ContainerMailStack stack, int plain, int tls) {
        return builder.tlsSupport("enabled")
            .bind("127.0.0.1:" + plain)
            .tlsBind("127.0.0.1:" + tls)
            .proxyCertificate(stack.localhostCertificate())
            .upstreamTrust(stack.ca.certificate())
            .expectedHostName("localhost");
    }

    @Test
    void eicarSentThroughTheSmtpProxyShouldArriveCleaned() throws Exception {
        String subject = "invoice " + UUID.randomUUID();
        Session smtp = MailClients.smtpStartTls("localhost", SMTP_PLAIN, stack.clientTrust());
        MimeMessage message = messageWithAttachment(smtp, subject, ClamdContainerTest.EICAR);
        try (Transport transport = smtp.getTransport("smtp")) {
            transport.connect();
            transport.sendMessage(message, message.getAllRecipients());
        }

        String stored = Awaitility.await("the message in Dovecot")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptions()
            .until(() -> raw(MailClients.imaps("localhost", IMAP_TLS, stack.clientTrust()), subject), found -> found != null);

        assertThat(stored)
            .doesNotContain(Base64.getMimeEncoder().encodeToString(ClamdContainerTest.EICAR).substring(0, 40))
            .contains("The attachment invoice.com was removed: it carried Eicar-Test-Signature")
            .contains("X-Virus-Status: Infected");
    }

    @Test
    void eicarReadThroughTheScanningImapPolicyShouldComeBackCleaned() throws Exception {
        String subject = "appended " + UUID.randomUUID();
        Session plain = MailClients.imaps("localhost", IMAP_TLS, stack.clientTrust());
        try (Store store = plain.getStore("imaps")) {
            store.connect(ContainerMailStack.USER, ContainerMailStack.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.appendMessages(new Message[] {messageWithAttachment(plain, subject, ClamdContainerTest.EICAR)});
        }
        String eicarBase64 = Base64.getMimeEncoder().encodeToString(ClamdContainerTest.EICAR).substring(0, 40);
        assertThat(raw(plain, subject)).as("stored as appended, read without the action").contains(eicarBase64);

        Session scanning = MailClients.imaps("localhost", SCANNING_IMAP_TLS, stack.clientTrust());
        try (Store store = scanning.getStore("imaps")) {
            store.connect(ContainerMailStack.USER, ContainerMailStack.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            for (Message candidate : inbox.getMessages()) {
                if (subject.equals(candidate.getSubject())) {
                    Multipart parts = (Multipart) candidate.getContent();
                    assertThat(parts.getCount()).isEqualTo(2);
                    assertThat(toString(candidate)).doesNotContain(eicarBase64).contains("it carried Eicar-Test-Signature");
                    return;
                }
            }
        }
        throw new AssertionError("no message '" + subject + "' through the scanning IMAP policy");
    }

    private static MimeMessage messageWithAttachment(Session session, String subject, byte[] attachment) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("bob@" + ContainerMailStack.DOMAIN));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(ContainerMailStack.USER));
        message.setSubject(subject);
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Please find the invoice attached.", "UTF-8");
        MimeBodyPart file = new MimeBodyPart();
        file.setContent(attachment, "application/octet-stream");
        file.setFileName("invoice.com");
        file.setHeader("Content-Transfer-Encoding", "base64");
        message.setContent(new MimeMultipart(text, file));
        message.saveChanges();
        return message;
    }

    /** The raw message with that subject, or null when it is not (yet) in the mailbox. */
    private static String raw(Session session, String subject) throws Exception {
        try (Store store = session.getStore("imaps")) {
            store.connect(ContainerMailStack.USER, ContainerMailStack.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            for (Message message : inbox.getMessages()) {
                if (subject.equals(message.getSubject())) {
                    return toString(message);
                }
            }
            return null;
        }
    }

    private static String toString(Message message) throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        message.writeTo(raw);
        return raw.toString(UTF_8);
    }
}
