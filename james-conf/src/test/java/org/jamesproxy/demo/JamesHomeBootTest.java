package org.jamesproxy.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLSocketFactory;

import org.apache.james.FakeSearchMailboxModule;
import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.awaitility.Awaitility;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.TrustStores;
import org.jamesproxy.tls.pki.VerifyingSocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the memory server from a {@link JamesHome} (no plugin) and uses James's own listeners with the home's
 * certificate: proves the written configuration is complete and that its TLS passes a client's verification.
 */
class JamesHomeBootTest {
    private static final String USER = "alice@demo.local";
    private static final String PASSWORD = "secret";

    @TempDir
    static Path root;

    private static CertificateAuthority ca;
    private static JamesHome home;
    private static GuiceJamesServer server;

    @BeforeAll
    static void boot() throws Exception {
        ca = CertificateAuthority.create("CN=Boot Test CA");
        home = JamesHome.builder(root)
            .ports(JamesPorts.builder().imap(FreePorts.next()).imaps(FreePorts.next()).smtp(FreePorts.next())
                .pop3(FreePorts.next()).pop3s(FreePorts.next()).lmtp(FreePorts.next()).build())
            // DNS name only, so that connecting by IP address must fail host name verification.
            .serverCertificate(ca.issue(ServerCertificateRequest.forNames("localhost").build()))
            .defaultDomain("demo.local")
            .domain("demo.local")
            .write();
        server = MemoryJamesServerMain.createServer(home.memoryConfiguration())
            .combineWith(new FakeSearchMailboxModule());
        server.start();
        server.getProbe(DataProbeImpl.class).addUser(USER, PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void mailDeliveredBySmtpShouldBeReadableOverVerifiedImaps() throws Exception {
        send("Hello from JamesHomeBootTest");

        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.socketFactory", clientSocketFactory());
        // Without this javax.mail retries with the JDK's default factory when ours fails, hiding the real error.
        properties.put("mail.imaps.socketFactory.fallback", "false");
        properties.put("mail.imaps.port", Integer.toString(home.ports().imaps().getAsInt()));
        properties.put("mail.imaps.connectiontimeout", "10000");
        properties.put("mail.imaps.timeout", "10000");

        // Retried on errors too: the other test's mail can arrive while this one lists the inbox, and James's own IMAP
        // then answers the stale FETCH range with BAD (a race of this test, not of the server under test).
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
            assertThat(inboxSubjects(properties, "imaps", "localhost")).contains("Hello from JamesHomeBootTest"));
    }

    @Test
    void imapStartTlsShouldBeRequiredAndVerified() throws Exception {
        send("Hello over STARTTLS");

        Properties properties = new Properties();
        properties.put("mail.imap.starttls.enable", "true");
        properties.put("mail.imap.starttls.required", "true");
        properties.put("mail.imap.ssl.socketFactory", clientSocketFactory());
        properties.put("mail.imap.socketFactory.fallback", "false");
        properties.put("mail.imap.port", Integer.toString(home.ports().imap().getAsInt()));
        properties.put("mail.imap.connectiontimeout", "10000");
        properties.put("mail.imap.timeout", "10000");

        // Retried on errors too: the other test's mail can arrive while this one lists the inbox, and James's own IMAP
        // then answers the stale FETCH range with BAD (a race of this test, not of the server under test).
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
            assertThat(inboxSubjects(properties, "imap", "localhost")).contains("Hello over STARTTLS"));
    }

    @Test
    void imapsShouldFailHostnameVerificationForANameNotInTheCertificate() {
        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.socketFactory", clientSocketFactory());
        // Without this javax.mail retries with the JDK's default factory when ours fails, hiding the real error.
        properties.put("mail.imaps.socketFactory.fallback", "false");
        properties.put("mail.imaps.port", Integer.toString(home.ports().imaps().getAsInt()));
        properties.put("mail.imaps.connectiontimeout", "10000");

        // 127.0.0.1 reaches the same listener, but the certificate names only localhost.
        assertThatThrownBy(() -> inboxSubjects(properties, "imaps", "127.0.0.1"))
            .isInstanceOf(MessagingException.class)
            .hasRootCauseInstanceOf(java.security.cert.CertificateException.class)
            .rootCause().hasMessageContaining("127.0.0.1");
    }

    /** Trusts the test CA only and verifies the host name (DNS or IP) the JDK way. */
    private static SSLSocketFactory clientSocketFactory() {
        return VerifyingSocketFactory.trusting(TrustStores.of(ca));
    }

    private static void send(String subject) throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", Integer.toString(home.ports().smtp().getAsInt()));
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "10000");
        MimeMessage message = new MimeMessage(Session.getInstance(properties));
        message.setFrom(new InternetAddress("bob@demo.local"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(USER));
        message.setSubject(subject);
        message.setText("body");
        Transport.send(message);
    }

    private static List<String> inboxSubjects(Properties properties, String protocol, String host)
        throws MessagingException {
        Store store = Session.getInstance(properties).getStore(protocol);
        store.connect(host, USER, PASSWORD);
        try {
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
        } finally {
            store.close();
        }
    }
}
