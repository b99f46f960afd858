package org.jamesproxy.it.container;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.awaitility.Awaitility;
import org.jamesproxy.demo.ProxySettings;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Container;

/**
 * The product's promise, in containers: the official James 3.8.1 memory server (unchanged image) with our drop-in jar
 * and conf copied in the way an admin does, proxying IMAP, POP3 and SMTP to Debian's Dovecot and Postfix. TLS is
 * verified on both legs: clients trust the test CA that issued the Proxy Server certificates, the proxy trusts only
 * that CA for the upstreams (and checks their host name). The upstream legs use both implicit TLS (IMAP) and STARTTLS
 * (POP3, SMTP); the client legs both STARTTLS and implicit TLS.
 */
@ContainerTest
class StockJamesProxyContainerTest {
    private static final int IMAP_PLAIN = ContainerPorts.next();
    private static final int IMAP_TLS = ContainerPorts.next();
    private static final int POP3_PLAIN = ContainerPorts.next();
    private static final int POP3_TLS = ContainerPorts.next();
    private static final int SMTP_PLAIN = ContainerPorts.next();
    private static final int SMTP_TLS = ContainerPorts.next();
    private static final int UNTRUSTED_PLAIN = ContainerPorts.next();
    private static final int UNTRUSTED_TLS = ContainerPorts.next();

    @TempDir
    static Path home;

    private static ContainerMailStack stack;

    @BeforeAll
    static void startStack() {
        stack = ContainerMailStack.start(home, StockJamesProxyContainerTest::policies);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    private static List<ProxySettings> policies(ContainerMailStack stack) {
        CertificateAuthority otherCa = CertificateAuthority.create("CN=Not the upstream's CA");
        return List.of(
            policy(ProxySettings.imap("imap"), stack, IMAP_PLAIN, IMAP_TLS)
                .upstream("localhost", stack.dovecot.imapsPort(), "implicit").build(),
            policy(ProxySettings.pop3("pop3"), stack, POP3_PLAIN, POP3_TLS)
                .upstream("localhost", stack.dovecot.pop3Port(), "starttls").build(),
            policy(ProxySettings.smtp("smtp"), stack, SMTP_PLAIN, SMTP_TLS)
                .upstream("localhost", stack.postfix.smtpPort(), "starttls").build(),
            // Same upstream, but the proxy trusts another CA: the upstream's certificate must be refused.
            policy(ProxySettings.imap("imap-untrusted"), stack, UNTRUSTED_PLAIN, UNTRUSTED_TLS)
                .upstream("localhost", stack.dovecot.imapsPort(), "implicit")
                .upstreamTrust(otherCa.certificate()).build());
    }

    private static ProxySettings.Builder policy(ProxySettings.Builder builder, ContainerMailStack stack, int plain,
                                                int tls) {
        return builder.tlsSupport("enabled")
            .bind("127.0.0.1:" + plain)
            .tlsBind("127.0.0.1:" + tls)
            .proxyCertificate(stack.localhostCertificate())
            .upstreamTrust(stack.ca.certificate())
            .expectedHostName("localhost");
    }

    @Test
    void jamesImageShouldBeStockAndLoadThePluginFromExtensionsJars() throws Exception {
        Container.ExecResult libs = stack.james.execInContainer("ls", "/root/libs", "/root/extensions-jars");

        assertThat(libs.getStdout()).contains("james-server-memory-app-3.8.1.jar");
        // The plugin is only in extensions-jars/ (the listing of /root/libs comes first).
        assertThat(libs.getStdout().substring(0, libs.getStdout().indexOf("/root/extensions-jars")))
            .doesNotContain("jamesproxy", "guice-modules");
        assertThat(libs.getStdout()).contains(DropInJar.path().getFileName().toString());
        assertThat(stack.james.getLogs()).contains("Mail proxy policy 'imap' listening", "Mail proxy policy 'pop3' listening",
            "Mail proxy policy 'smtp' listening");
    }

    @Test
    void imapClientShouldAppendThroughTheProxyAndReadBackOverBothClientLegs() throws Exception {
        String subject = unique("appended through the proxy");
        try (Store store = connect(MailClients.imaps("localhost", IMAP_TLS, stack.clientTrust()), "imaps")) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.appendMessages(new Message[] {message(subject)});
            inbox.close(false);
        }

        assertThat(subjects(MailClients.imapStartTls("localhost", IMAP_PLAIN, stack.clientTrust()), "imap"))
            .contains(subject);
        // The message is in Dovecot's store: read directly from Dovecot, bypassing James.
        assertThat(subjects(MailClients.imaps("localhost", stack.dovecot.imapsPort(), stack.clientTrust()), "imaps"))
            .contains(subject);
    }

    @Test
    void pop3ClientShouldReadDovecotMailThroughTheProxyOverBothClientLegs() throws Exception {
        String subject = unique("read over POP3");
        try (Store direct = connect(MailClients.imaps("localhost", stack.dovecot.imapsPort(), stack.clientTrust()), "imaps")) {
            Folder inbox = direct.getFolder("INBOX");
            inbox.appendMessages(new Message[] {message(subject)});
        }

        String viaPop3s = rawMessage(MailClients.pop3s("localhost", POP3_TLS, stack.clientTrust()), "pop3s", subject);
        String viaStls = rawMessage(MailClients.pop3StartTls("localhost", POP3_PLAIN, stack.clientTrust()), "pop3", subject);

        assertThat(viaPop3s).contains("Subject: " + subject, "Body of " + subject);
        assertThat(viaStls).isEqualTo(viaPop3s);
    }

    @Test
    void mailSentThroughTheSmtpProxyShouldArriveInTheDovecotMailbox() throws Exception {
        String viaStartTls = unique("sent with STARTTLS");
        String viaSmtps = unique("sent with implicit TLS");

        send(MailClients.smtpStartTls("localhost", SMTP_PLAIN, stack.clientTrust()), "smtp", viaStartTls);
        send(MailClients.smtps("localhost", SMTP_TLS, stack.clientTrust()), "smtps", viaSmtps);

        // Postfix delivered both over LMTP to Dovecot; read through the IMAP proxy.
        Awaitility.await("both messages in the mailbox, through the IMAP proxy")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptions()
            .untilAsserted(() -> assertThat(subjects(MailClients.imaps("localhost", IMAP_TLS, stack.clientTrust()), "imaps"))
                .contains(viaStartTls, viaSmtps));
        assertThat(postfixLog()).contains("status=sent");
    }

    @Test
    void upstreamCertificateNotIssuedByTheTrustedCaShouldBeRefused() throws Exception {
        Session session = MailClients.imaps("localhost", UNTRUSTED_TLS, stack.clientTrust());

        assertThatThrownBy(() -> connect(session, "imaps").close()).isInstanceOf(MessagingException.class);
        Awaitility.await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(stack.james.getLogs().lines())
                .as("James's log: the upstream leg was refused for its certificate")
                .anyMatch(line -> line.contains("unusable") && line.toLowerCase(Locale.ROOT).matches(".*(pkix|certif).*")));
    }

    private static void send(Session session, String protocol, String subject) throws MessagingException {
        MimeMessage message = message(session, subject);
        try (Transport transport = session.getTransport(protocol)) {
            transport.connect();
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    private static String postfixLog() {
        return stack.postfix.getLogs();
    }

    private static Store connect(Session session, String protocol) throws MessagingException {
        Store store = session.getStore(protocol);
        store.connect(ContainerMailStack.USER, ContainerMailStack.PASSWORD);
        return store;
    }

    private static List<String> subjects(Session session, String protocol) throws Exception {
        try (Store store = connect(session, protocol)) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                List<String> subjects = new ArrayList<>();
                for (Message message : inbox.getMessages()) {
                    subjects.add(message.getSubject());
                }
                return subjects;
            } finally {
                inbox.close(false);
            }
        }
    }

    /** The raw message with that subject, read (not deleted) over POP3. */
    private static String rawMessage(Session session, String protocol, String subject) throws Exception {
        try (Store store = connect(session, protocol)) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                Optional<String> found = Optional.empty();
                for (Message message : inbox.getMessages()) {
                    if (subject.equals(message.getSubject())) {
                        ByteArrayOutputStream raw = new ByteArrayOutputStream();
                        message.writeTo(raw);
                        found = Optional.of(raw.toString(UTF_8));
                    }
                }
                return found.orElseThrow(() -> new AssertionError("no message '" + subject + "' over " + protocol));
            } finally {
                inbox.close(false);
            }
        }
    }

    private static MimeMessage message(String subject) throws MessagingException {
        return message(Session.getInstance(new java.util.Properties()), subject);
    }

    private static MimeMessage message(Session session, String subject) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("bob@" + ContainerMailStack.DOMAIN));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(ContainerMailStack.USER));
        message.setSubject(subject);
        message.setText("Body of " + subject + "\r\n");
        message.saveChanges();
        return message;
    }

    private static String unique(String subject) {
        return subject + " " + System.nanoTime();
    }
}
