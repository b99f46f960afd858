package org.jamesproxy.it.proxyprotocol;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.commons.net.smtp.AuthenticatingSMTPClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.engine.testing.Haproxy;
import org.jamesproxy.it.support.JamesInbox;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * James sees the real client through the proxy (issue 15): the proxy's upstreams are James listeners with
 * {@code proxyRequired}, as in the demo and the sample conf, and each upstream connection opens with a PROXY v2
 * header. Clients connect from 127.0.0.2 (the proxy reaches James from 127.0.0.1), so the address James records
 * (its Received header, its "runs through ... proxy" log line) can only come from the header. Unauthenticated relaying
 * to a foreign domain is refused, AUTH PLAIN and LOGIN work through the proxy (javax.mail, commons-net), IMAP and POP3
 * log in over James's implicit-TLS listeners behind the header. Then Debian's HAProxy in front of a policy that
 * requires the PROXY protocol: James sees HAProxy's client; a forged header from an untrusted address is refused.
 */
@EndToEndTest
class JamesBehindProxyEndToEndTest {
    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final String CLIENT_IP = "127.0.0.2";
    private static final String HAPROXY_CLIENT_IP = "127.0.0.3";
    private static final int SMTP_PLAIN = FreePorts.next();
    private static final int SMTP_TLS = FreePorts.next();
    private static final int LB_PLAIN = FreePorts.next();
    private static final int LB_TLS = FreePorts.next();
    private static final int IMAP_PLAIN = FreePorts.next();
    private static final int IMAP_TLS = FreePorts.next();
    private static final int POP3_PLAIN = FreePorts.next();
    private static final int POP3_TLS = FreePorts.next();
    private static final int HAPROXY_FRONT = FreePorts.next();
    private static final String FOREIGN = "victim@example.org";

    @RegisterExtension
    static Haproxy haproxy = new Haproxy();

    @RegisterExtension
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir -> {
        JamesHome home = JAMES.behindProxyHome(tmpDir.toPath()).write();
        JAMES.writeCaPem(home.confDirectory());
        write(home.mailProxyXml(), mailProxyXml(home.keystoreSecret()));
        return home.memoryConfiguration();
    })
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    @TempDir
    static Path tempDir;

    private static final List<String> JAMES_PROXY_LOG = new CopyOnWriteArrayList<>();
    private static final AppenderBase<ILoggingEvent> APPENDER = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            JAMES_PROXY_LOG.add(event.getFormattedMessage());
        }
    };
    private static Level previousLevel;

    static String mailProxyXml(String secret) {
        String tls = "<tls><keystore>file://conf/keystore</keystore><keystoreType>PKCS12</keystoreType><secret>" + secret
            + "</secret></tls><helloName autodetect=\"false\">proxy.demo.local</helloName>";
        String trust = "<trustStore>file://conf/ca.pem</trustStore><expectedHostName>localhost</expectedHostName>"
            + "<proxyProtocol>v2</proxyProtocol>";
        return "<mailproxy>\n"
            + "<smtpproxy><name>submission</name><bind>127.0.0.1:" + SMTP_PLAIN + "</bind><tlsBind>127.0.0.1:" + SMTP_TLS
            + "</tlsBind>" + tls + "<upstream><host>localhost</host><port>" + JAMES.jamesSmtpBehindProxy
            + "</port><tls>starttls</tls>" + trust + "</upstream></smtpproxy>\n"
            // Behind HAProxy: only 127.0.0.1 (HAProxy's side of the connection) may send the header.
            + "<smtpproxy><name>behind-lb</name><bind>127.0.0.1:" + LB_PLAIN + "</bind><tlsBind>127.0.0.1:" + LB_TLS
            + "</tlsBind>" + tls + "<acceptProxyProtocol><trustedProxies>127.0.0.1</trustedProxies></acceptProxyProtocol>"
            + "<upstream><host>localhost</host><port>" + JAMES.jamesSmtpBehindProxy + "</port><tls>starttls</tls>" + trust
            + "</upstream></smtpproxy>\n"
            + "<imapproxy><name>imap</name><bind>127.0.0.1:" + IMAP_PLAIN + "</bind><tlsBind>127.0.0.1:" + IMAP_TLS
            + "</tlsBind>" + tls + "<upstream><host>localhost</host><port>" + JAMES.jamesImapsBehindProxy
            + "</port><tls>implicit</tls>" + trust + "</upstream></imapproxy>\n"
            + "<pop3proxy><name>pop3</name><bind>127.0.0.1:" + POP3_PLAIN + "</bind><tlsBind>127.0.0.1:" + POP3_TLS
            + "</tlsBind>" + tls + "<upstream><host>localhost</host><port>" + JAMES.jamesPop3sBehindProxy
            + "</port><tls>implicit</tls>" + trust + "</upstream><offerApop>false</offerApop></pop3proxy>\n"
            + "</mailproxy>\n";
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content, UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
        // James logs "Connection from <client> runs through <proxy> proxy" at INFO when it decodes a header.
        Logger james = (Logger) LoggerFactory.getLogger("org.apache.james");
        previousLevel = james.getLevel();
        james.setLevel(Level.INFO);
        APPENDER.start();
        james.addAppender(APPENDER);
    }

    @AfterAll
    static void detachAppender() {
        Logger james = (Logger) LoggerFactory.getLogger("org.apache.james");
        james.detachAppender(APPENDER);
        james.setLevel(previousLevel);
    }

    private static String unique(String subject) {
        return subject + " " + System.nanoTime();
    }

    private static AuthenticatingSMTPClient smtpClientFrom(String localAddress, int port) throws Exception {
        AuthenticatingSMTPClient client = new AuthenticatingSMTPClient(false, JAMES.clientSslContext());
        client.setEndpointCheckingEnabled(true);
        client.setDefaultTimeout(30_000);
        client.connect("localhost", port, InetAddress.getByName(localAddress), 0);
        assertThat(SMTPReply.isPositiveCompletion(client.getReplyCode())).as(client.getReplyString()).isTrue();
        assertThat(client.ehlo("client.test")).isEqualTo(250);
        assertThat(client.execTLS()).as(client.getReplyString()).isTrue();
        assertThat(client.ehlo("client.test")).isEqualTo(250);
        return client;
    }

    private static Session javaMailFrom(String localAddress, int port, String mechanisms) throws Exception {
        Session session = MailClients.smtpStartTls("localhost", port, JAMES.clientSslContext());
        session.getProperties().put("mail.smtp.auth", "true");
        session.getProperties().put("mail.smtp.localaddress", localAddress);
        if (mechanisms != null) {
            session.getProperties().put("mail.smtp.auth.mechanisms", mechanisms);
        }
        return session;
    }

    private static MimeMessage message(Session session, String subject) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(ProxiedJames.ALICE));
        message.setRecipients(Message.RecipientType.TO, ProxiedJames.ALICE);
        message.setSubject(subject);
        message.setText("Body of " + subject + "\r\n");
        message.saveChanges();
        return message;
    }

    private static String awaitDelivered(String subject) {
        return new JamesInbox(JAMES, ProxiedJames.ALICE, ProxiedJames.PASSWORD).awaitDelivered(subject);
    }

    /** Sends one message from alice to alice, authenticating with the session's settings. */
    private static void send(Session session, String subject) throws Exception {
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            MimeMessage message = message(session, subject);
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    /** Logs in as alice with javax.mail through one of the proxy's implicit-TLS ports and opens the INBOX. */
    private static void openInboxThroughTheProxy(Session session, String protocol) throws Exception {
        JAMES_PROXY_LOG.clear();
        try (Store store = session.getStore(protocol)) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isNotNegative();
            inbox.close(false);
        }
    }

    /** James's Received line names the address of its SMTP session: the client's, from the PROXY header. */
    private static void assertJamesSawTheClient(String delivered, String clientIp) {
        String received = delivered.lines().filter(line -> line.startsWith("Received:")).findFirst().orElseThrow();
        assertThat(received).contains("[" + clientIp + "]").doesNotContain("[127.0.0.1]");
    }

    @Test
    void unauthenticatedRelayToAForeignDomainShouldBeRefusedThroughTheProxy() throws Exception {
        AuthenticatingSMTPClient client = smtpClientFrom(CLIENT_IP, SMTP_PLAIN);
        try {
            assertThat(client.getReplyString()).as("James offers AUTH to the proxied client").contains("AUTH");
            client.setSender("ceo@bank.example");

            boolean accepted = client.addRecipient(FOREIGN);

            assertThat(accepted).as(client.getReplyString()).isFalse();
            assertThat(client.getReplyCode()).isBetween(500, 599);
        } finally {
            client.disconnect();
        }
    }

    @Test
    void authPlainWithCommonsNetShouldRelayToAForeignDomain() throws Exception {
        AuthenticatingSMTPClient client = smtpClientFrom(CLIENT_IP, SMTP_PLAIN);
        try {
            assertThat(client.auth(AuthenticatingSMTPClient.AUTH_METHOD.PLAIN, ProxiedJames.ALICE, ProxiedJames.PASSWORD))
                .as(client.getReplyString()).isTrue();
            assertThat(client.setSender(ProxiedJames.ALICE)).as(client.getReplyString()).isTrue();

            assertThat(client.addRecipient(FOREIGN)).as(client.getReplyString()).isTrue();
            // No DATA: nothing is queued for a remote delivery that could not happen here.
            assertThat(client.reset()).isTrue();
        } finally {
            client.disconnect();
        }
    }

    @Test
    void authLoginWithCommonsNetShouldDeliverAndJamesShouldSeeTheClient() throws Exception {
        String subject = unique("commons-net AUTH LOGIN");
        AuthenticatingSMTPClient client = smtpClientFrom(CLIENT_IP, SMTP_PLAIN);
        try {
            assertThat(client.auth(AuthenticatingSMTPClient.AUTH_METHOD.LOGIN, ProxiedJames.ALICE, ProxiedJames.PASSWORD))
                .as(client.getReplyString()).isTrue();
            assertThat(client.setSender(ProxiedJames.ALICE)).isTrue();
            assertThat(client.addRecipient(ProxiedJames.ALICE)).isTrue();
            try (Writer writer = client.sendMessageData()) {
                writer.write("From: " + ProxiedJames.ALICE + "\r\nTo: " + ProxiedJames.ALICE + "\r\nSubject: " + subject
                    + "\r\n\r\nbody\r\n");
            }
            assertThat(client.completePendingCommand()).as(client.getReplyString()).isTrue();
            client.logout();
        } finally {
            client.disconnect();
        }

        assertJamesSawTheClient(awaitDelivered(subject), CLIENT_IP);
    }

    @Test
    void javaMailWithItsDefaultMechanismShouldDeliverAndJamesShouldSeeTheClient() throws Exception {
        Session session = javaMailFrom(CLIENT_IP, SMTP_PLAIN, null);
        String subject = unique("javax.mail default AUTH");

        send(session, subject);

        assertJamesSawTheClient(awaitDelivered(subject), CLIENT_IP);
    }

    @Test
    void javaMailAuthPlainShouldDeliver() throws Exception {
        Session session = javaMailFrom(CLIENT_IP, SMTP_PLAIN, "PLAIN");
        String subject = unique("javax.mail AUTH PLAIN");

        send(session, subject);

        assertJamesSawTheClient(awaitDelivered(subject), CLIENT_IP);
    }

    @Test
    void imapLoginThroughTheProxyShouldReachJamesImapsBehindTheHeader() throws Exception {
        Session session = MailClients.imaps("localhost", IMAP_TLS, JAMES.clientSslContext());
        session.getProperties().put("mail.imaps.localaddress", CLIENT_IP);

        openInboxThroughTheProxy(session, "imaps");

        assertThat(JAMES_PROXY_LOG).anySatisfy(line -> assertThat(line).contains("Connection from " + CLIENT_IP + " runs through"));
    }

    @Test
    void pop3LoginThroughTheProxyShouldReachJamesPop3sBehindTheHeader() throws Exception {
        Session session = MailClients.pop3s("localhost", POP3_TLS, JAMES.clientSslContext());
        session.getProperties().put("mail.pop3s.localaddress", CLIENT_IP);

        openInboxThroughTheProxy(session, "pop3s");

        assertThat(JAMES_PROXY_LOG).anySatisfy(line -> assertThat(line).contains("Connection from " + CLIENT_IP + " runs through"));
    }

    @Test
    void behindHaproxyJamesShouldSeeHaproxysClient() throws Exception {
        String subject = unique("through HAProxy");
        try (Haproxy.Running running = haproxy.start(tempDir, HAPROXY_FRONT, LB_PLAIN)) {
            Session session = javaMailFrom(HAPROXY_CLIENT_IP, HAPROXY_FRONT, null);
            send(session, subject);
        }

        assertJamesSawTheClient(awaitDelivered(subject), HAPROXY_CLIENT_IP);
    }

    @Test
    void aForgedHeaderFromAnUntrustedAddressShouldBeRefused() throws Exception {
        try (Socket forger = new Socket("127.0.0.1", LB_PLAIN, InetAddress.getByName(CLIENT_IP), 0)) {
            forger.setSoTimeout(10_000);
            OutputStream out = forger.getOutputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            try {
                out.write("PROXY TCP4 203.0.113.9 127.0.0.1 40000 25\r\nEHLO forger.test\r\n".getBytes(US_ASCII));
                forger.getInputStream().transferTo(received);
            } catch (SocketException e) {
                // reset by the proxy
            }

            assertThat(received.toString(US_ASCII)).as("not even a greeting").isEmpty();
        }
    }
}
