package org.jamesproxy.it.engines;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.MimeMessage;

import org.apache.commons.net.smtp.SMTPReply;
import org.apache.commons.net.smtp.SMTPSClient;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.engine.testing.ClamdDaemon;
import org.jamesproxy.engine.testing.RspamdDaemon;
import org.jamesproxy.engine.testing.TestMessages;
import org.jamesproxy.inspection.HostileMimeConstructions;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.jamesproxy.mailet.AntivirusScan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hostile MIME constructions of issue 13 (EICAR in a deflated ZIP, and a clean sibling of each) through the IMAP,
 * POP3 and SMTP proxies with the scanning action (StripHeaders, ContentTypeRules, FilenameRules, AntivirusScan with
 * a real clamd, SpamCheck with a real rspamd): each infected one is stopped (denied or stripped: nothing a virus scan
 * of the delivered bytes finds), each clean sibling arrives byte-identical; GTUBE is tagged on IMAP/POP3 and denied on
 * SMTP, ham untouched.
 */
@EndToEndTest
class HostileMimeEndToEndTest {
    @RegisterExtension
    @Order(1)
    static ClamdDaemon clamd = ClamdDaemon.withDefaults();

    @RegisterExtension
    @Order(2)
    static RspamdDaemon rspamd = new RspamdDaemon();

    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int IMAP_PLAIN = FreePorts.next();
    private static final int IMAP_TLS = FreePorts.next();
    private static final int POP3_PLAIN = FreePorts.next();
    private static final int POP3_TLS = FreePorts.next();
    private static final int SMTP_PLAIN = FreePorts.next();
    private static final int SMTP_TLS = FreePorts.next();
    private static final HostileMimeConstructions[] CONSTRUCTIONS = HostileMimeConstructions.values();

    private static String action() {
        return "<action name=\"Hostile\">"
            + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>^X-Internal-</patterns></mailet>"
            + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.ContentTypeRules\">"
            + "<rules>application/x-msdownload, application/x-dosexec = deny; */* = allow</rules></mailet>"
            + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.FilenameRules\"><rules>*.exe, *.com, *.scr = deny; * = allow</rules></mailet>"
            + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.AntivirusScan\"><host>" + clamd.host() + "</host><port>"
            + clamd.port() + "</port><timeout>20s</timeout><onVirus>strip</onVirus><addHeaders>false</addHeaders></mailet>"
            + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.SpamCheck\"><engine>rspamd</engine><host>" + rspamd.host()
            + "</host><port>" + rspamd.port() + "</port><timeout>60s</timeout><spamAction>deny</spamAction>"
            + "<addHeaders>false</addHeaders></mailet>"
            + "</action>";
    }

    private static String imapProxy(JamesHome home) {
        return "<imapproxy><name>imap-hostile</name><tlsSupport>enabled</tlsSupport>"
            + "<bind>127.0.0.1:" + IMAP_PLAIN + "</bind><tlsBind>127.0.0.1:" + IMAP_TLS + "</tlsBind>"
            + "<jmxName>imapproxy-hostile</jmxName><helloName autodetect=\"false\">imapproxy.test</helloName>"
            + "<tls><keystore>file://conf/keystore</keystore><keystoreType>PKCS12</keystoreType><secret>"
            + home.keystoreSecret() + "</secret></tls>"
            + "<upstream><host>localhost</host><port>" + JAMES.jamesImaps + "</port><tls>implicit</tls>"
            + "<trustStore>file://conf/ca.pem</trustStore><expectedHostName>localhost</expectedHostName></upstream>"
            + "<proxyAction>Hostile</proxyAction></imapproxy>";
    }

    private static String smtpProxy(JamesHome home) {
        return "<smtpproxy><name>smtp-hostile</name>"
            + "<bind>127.0.0.1:" + SMTP_PLAIN + "</bind><tlsBind>127.0.0.1:" + SMTP_TLS + "</tlsBind>"
            + "<helloName autodetect=\"false\">proxy.demo.local</helloName>"
            + "<tls><keystore>file://conf/keystore</keystore><keystoreType>PKCS12</keystoreType><secret>"
            + home.keystoreSecret() + "</secret></tls>"
            + "<upstream><host>localhost</host><port>" + JAMES.jamesSmtp + "</port><tls>starttls</tls>"
            + "<trustStore>file://conf/ca.pem</trustStore><expectedHostName>localhost</expectedHostName></upstream>"
            + "<proxyAction>Hostile</proxyAction>"
            + "<limits><maxMessageSize>10M</maxMessageSize><maxRecipients>10</maxRecipients></limits></smtpproxy>";
    }

    @RegisterExtension
    @Order(3)
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir -> {
        JamesHome home = JAMES.pop3Home(tmpDir.toPath()).write();
        JAMES.writePop3ProxyXml(home, action(),
            JAMES.pop3ProxyToJames(home, "pop3-hostile", POP3_PLAIN, POP3_TLS,
                "<proxyAction>Hostile</proxyAction><offerApop>false</offerApop>"),
            imapProxy(home), smtpProxy(home));
        return home.memoryConfiguration();
    })
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    /** Mailbox order: each construction infected then clean, then GTUBE, then ham. */
    private static List<byte[]> mailbox() {
        List<byte[]> messages = new ArrayList<>();
        for (HostileMimeConstructions construction : CONSTRUCTIONS) {
            messages.add(construction.infected());
            messages.add(construction.clean());
        }
        messages.add(TestMessages.gtube("cheap pills"));
        messages.add(TestMessages.ham("lunch"));
        return messages;
    }

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            List<Message> messages = new ArrayList<>();
            for (byte[] raw : mailbox()) {
                messages.add(new MimeMessage(direct, new ByteArrayInputStream(raw)));
            }
            inbox.appendMessages(messages.toArray(new Message[0]));
            inbox.close(false);
        }
    }

    private static byte[] raw(Message message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    private static List<byte[]> retrieve(Session session, String protocol, int port) throws Exception {
        try (Store store = session.getStore(protocol)) {
            store.connect("localhost", port, ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            List<byte[]> messages = new ArrayList<>();
            for (Message message : inbox.getMessages()) {
                messages.add(raw(message));
            }
            inbox.close(false);
            return messages;
        }
    }

    /** What a virus scan (the proxy's own reading plus clamd) still finds in bytes a client received. */
    private static boolean virusFoundIn(byte[] received) throws Exception {
        AntivirusScan scan = new AntivirusScan();
        scan.init(FakeMailetConfig.builder().mailetName("check").mailetContext(FakeMailContext.defaultContext())
            .setProperty("host", clamd.host()).setProperty("port", String.valueOf(clamd.port())).setProperty("addHeaders", "false")
            .setProperty("onVirus", "deny").build());
        FakeMail mail = FakeMail.builder().name("check").mimeMessage(new MimeMessage(null, new ByteArrayInputStream(received))).build();
        return !scan.inspect(mail).isEmpty();
    }

    private static void assertRetrievedThroughProxy(List<byte[]> direct, List<byte[]> proxied, String protocol) throws Exception {
        assertThat(proxied).as(protocol).hasSameSizeAs(direct);
        for (int i = 0; i < CONSTRUCTIONS.length; i++) {
            HostileMimeConstructions construction = CONSTRUCTIONS[i];
            byte[] infected = proxied.get(2 * i);
            byte[] clean = proxied.get(2 * i + 1);
            assertThat(virusFoundIn(direct.get(2 * i))).as("%s %s: the original carries the virus", protocol, construction).isTrue();
            assertThat(infected).as("%s %s infected: stopped", protocol, construction).isNotEqualTo(direct.get(2 * i));
            assertThat(virusFoundIn(infected)).as("%s %s infected: nothing left", protocol, construction).isFalse();
            if (construction.isNormalised()) {
                assertThat(clean).as("%s %s clean sibling: byte-identical", protocol, construction).isEqualTo(direct.get(2 * i + 1));
            } else {
                assertThat(new String(clean, ISO_8859_1)).as("%s %s clean sibling: unscannable", protocol, construction)
                    .contains("unscannable");
            }
        }
        int gtube = 2 * CONSTRUCTIONS.length;
        assertThat(new MimeMessage(null, new ByteArrayInputStream(proxied.get(gtube))).getSubject()).as(protocol)
            .isEqualTo("[SPAM] cheap pills");
        assertThat(proxied.get(gtube + 1)).as("%s ham", protocol).isEqualTo(direct.get(gtube + 1));
    }

    @Test
    void imapProxy() throws Exception {
        List<byte[]> direct = retrieve(MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext()), "imaps", JAMES.jamesImaps);
        List<byte[]> proxied = retrieve(MailClients.imaps("localhost", IMAP_TLS, JAMES.clientSslContext()), "imaps", IMAP_TLS);

        assertRetrievedThroughProxy(direct, proxied, "IMAP");
    }

    @Test
    void pop3Proxy() throws Exception {
        List<byte[]> direct = retrieve(MailClients.pop3s("localhost", JAMES.jamesPop3s, JAMES.clientSslContext()), "pop3s", JAMES.jamesPop3s);
        List<byte[]> proxied = retrieve(MailClients.pop3s("localhost", POP3_TLS, JAMES.clientSslContext()), "pop3s", POP3_TLS);

        assertRetrievedThroughProxy(direct, proxied, "POP3");
    }

    /** Sends the bytes as they are (commons-net, implicit TLS): javax.mail's Transport would re-encode the MIME. */
    private static Optional<String> send(byte[] message) throws IOException {
        SMTPSClient client = new SMTPSClient(true, sslContext());
        client.connect("localhost", SMTP_TLS);
        try {
            client.login("client.test");
            client.setSender("bob@demo.local");
            client.addRecipient(ProxiedJames.ALICE);
            try (Writer writer = client.sendMessageData()) {
                writer.write(new String(message, ISO_8859_1));
            }
            boolean accepted = client.completePendingCommand();
            String reply = client.getReplyString();
            client.logout();
            return accepted ? Optional.empty() : Optional.of(reply);
        } finally {
            client.disconnect();
        }
    }

    private static javax.net.ssl.SSLContext sslContext() {
        try {
            return JAMES.clientSslContext();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<byte[]> delivered(String subject) throws Exception {
        for (byte[] message : retrieve(MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext()), "imaps", JAMES.jamesImaps)) {
            String text = new String(message, ISO_8859_1);
            if (text.contains(subject)) {
                return Optional.of(message);
            }
        }
        return Optional.empty();
    }

    private static byte[] withSubject(byte[] message, String subject) {
        return new String(message, ISO_8859_1).replace("Subject: the report", "Subject: " + subject).getBytes(ISO_8859_1);
    }

    private static String body(byte[] message) {
        String text = new String(message, ISO_8859_1);
        return text.substring(text.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void smtpProxy() throws Exception {
        for (HostileMimeConstructions construction : CONSTRUCTIONS) {
            String infectedSubject = "infected " + construction + " " + System.nanoTime();
            String cleanSubject = "clean " + construction + " " + System.nanoTime();

            Optional<String> refused = send(withSubject(construction.infected(), infectedSubject));
            byte[] clean = withSubject(construction.clean(), cleanSubject);
            Optional<String> cleanRefused = send(clean);

            if (construction.isNormalised()) {
                assertThat(cleanRefused).as("%s clean sibling accepted", construction).isEmpty();
                byte[] arrived = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> delivered(cleanSubject), Optional::isPresent).get();
                // James adds its trace fields on delivery; everything the sender wrote arrives as it was.
                assertThat(body(arrived)).as("%s clean sibling body", construction).isEqualTo(body(clean));
            } else {
                assertThat(cleanRefused).as("%s clean sibling: unscannable", construction)
                    .hasValueSatisfying(reply -> assertThat(reply).startsWith("554").contains("unscannable"));
            }
            if (refused.isPresent()) {
                assertThat(refused.get()).as("%s infected", construction).startsWith("554");
            } else {
                java.util.concurrent.atomic.AtomicReference<Optional<byte[]>> delivery = new java.util.concurrent.atomic.AtomicReference<>(Optional.empty());
                try {
                    await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(300))
                        .until(() -> {
                            delivery.set(delivered(infectedSubject));
                            return delivery.get().isPresent();
                        });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // reported below, with the mailbox's subjects
                }
                Optional<byte[]> found = delivery.get();
                if (found.isEmpty()) {
                    StringBuilder subjects = new StringBuilder();
                    for (byte[] message : retrieve(MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext()), "imaps", JAMES.jamesImaps)) {
                        subjects.append(new MimeMessage(null, new ByteArrayInputStream(message)).getSubject()).append(" | ");
                    }
                    throw new AssertionError(construction + " infected accepted (" + refused + ") but not delivered; mailbox: " + subjects);
                }
                byte[] arrived = found.get();
                assertThat(virusFoundIn(arrived)).as("%s infected, stripped", construction).isFalse();
            }
        }
        assertThat(send(TestMessages.gtube("spam over smtp"))).hasValueSatisfying(reply -> assertThat(reply).startsWith("554"));
        String ham = "ham over smtp " + System.nanoTime();
        assertThat(send(TestMessages.ham(ham))).isEmpty();
        await().atMost(Duration.ofSeconds(60)).until(() -> delivered(ham), Optional::isPresent);
    }
}
