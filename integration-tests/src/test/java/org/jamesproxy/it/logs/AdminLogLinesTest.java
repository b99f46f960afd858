package org.jamesproxy.it.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.mail.AuthenticationFailedException;
import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.MimeMessage;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.awaitility.Awaitility;
import org.jamesproxy.demo.ProxyAction;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * The lines README's "Logs" section documents, as an admin's log gets them with the one logback line it tells him
 * to add (logger org.jamesproxy at INFO): one line per event, the policy and client address in the line, James's MDC
 * keys, failures at WARN and TLS failures in words.
 */
@EndToEndTest
class AdminLogLinesTest {
    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int PROXY_PLAIN = FreePorts.next();
    private static final int PROXY_TLS = FreePorts.next();

    @RegisterExtension
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir ->
        JAMES.home(tmpDir.toPath())
            .proxy(JAMES.proxyToJames("logs", PROXY_PLAIN, PROXY_TLS)
                .proxyAction(ProxyAction.of("DenyVirus",
                    "<mailet match=\"HasHeader=X-Virus\" class=\"org.jamesproxy.mailet.ProxyVerdict\">"
                        + "<verdict>deny</verdict><reason>virus found</reason></mailet>"))
                .build())
            .write()
            .memoryConfiguration())
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            event.prepareForDeferredProcessing();
            events.add(event);
        }
    };
    private Level previousLevel;

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            byte[] infected = ("From: mallory@evil.example\r\nTo: " + ProxiedJames.ALICE + "\r\nSubject: hi\r\n"
                + "Message-ID: <infected-1@evil.example>\r\nX-Virus: yes\r\n\r\nbody\r\n").getBytes();
            inbox.appendMessages(new Message[]{new MimeMessage(direct, new ByteArrayInputStream(infected))});
            inbox.close(false);
        }
    }

    @BeforeEach
    void captureProxyLogs() {
        Logger proxy = (Logger) LoggerFactory.getLogger("org.jamesproxy");
        previousLevel = proxy.getLevel();
        // What README tells the admin to add to conf/logback.xml.
        proxy.setLevel(Level.INFO);
        appender.start();
        proxy.addAppender(appender);
    }

    @AfterEach
    void stopCapturing() {
        Logger proxy = (Logger) LoggerFactory.getLogger("org.jamesproxy");
        proxy.detachAppender(appender);
        proxy.setLevel(previousLevel);
    }

    @Test
    void failedLoginShouldBeOneWarnLineWithClientAndUser() {
        Session session = MailClients.imaps("localhost", PROXY_TLS, clientTrust());

        assertThatThrownBy(() -> session.getStore("imaps").connect(ProxiedJames.ALICE, "wrong"))
            .isInstanceOf(AuthenticationFailedException.class);

        ILoggingEvent line = awaitLine("login failed for user");
        assertThat(line.getLevel()).isEqualTo(Level.WARN);
        assertThat(line.getFormattedMessage())
            .isEqualTo("[logs 127.0.0.1] login failed for user " + ProxiedJames.ALICE + " (AUTHENTICATE answered NO)");
        assertThat(line.getMDCPropertyMap())
            .containsEntry("ip", "127.0.0.1")
            .containsEntry("protocol", "IMAP-PROXY")
            .containsEntry("user", ProxiedJames.ALICE)
            .containsKey("sessionId");
        assertThat(events).filteredOn(event -> event.getFormattedMessage().contains("login failed")).hasSize(1);
    }

    @Test
    void successfulLoginAndConnectShouldBeInfoLines() throws Exception {
        try (Store store = MailClients.imaps("localhost", PROXY_TLS, clientTrust()).getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
        }

        assertThat(awaitLine("connection accepted").getLevel()).isEqualTo(Level.INFO);
        ILoggingEvent login = awaitLine("logged in");
        assertThat(login.getLevel()).isEqualTo(Level.INFO);
        assertThat(login.getFormattedMessage()).isEqualTo("[logs 127.0.0.1] user " + ProxiedJames.ALICE + " logged in");
    }

    @Test
    void clientRejectingTheCertificateShouldBeLoggedInWords() {
        CertificateAuthority other = CertificateAuthority.create("CN=Not the proxy's CA");
        Session session = MailClients.imaps("localhost", PROXY_TLS, sslContextTrusting(other));

        assertThatThrownBy(() -> session.getStore("imaps").connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD))
            .isInstanceOf(MessagingException.class);

        ILoggingEvent line = awaitLine("TLS handshake failed");
        assertThat(line.getLevel()).isEqualTo(Level.WARN);
        assertThat(line.getFormattedMessage())
            .startsWith("[logs 127.0.0.1] client connection error: TLS handshake failed: the client rejected the certificate")
            .doesNotStartWith("BadPaddingException");
        assertThat(line.getMDCPropertyMap()).containsEntry("ip", "127.0.0.1");
    }

    @Test
    void deniedMessageShouldSayWhoFromToWhatAndWhy() throws Exception {
        try (Store store = MailClients.imaps("localhost", PROXY_TLS, clientTrust()).getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            inbox.getMessage(1).writeTo(java.io.OutputStream.nullOutputStream());
            inbox.close(false);
        }

        ILoggingEvent line = awaitLine("message denied");
        assertThat(line.getLevel()).isEqualTo(Level.WARN);
        assertThat(line.getFormattedMessage()).isEqualTo("[logs 127.0.0.1] message denied by the proxy action: virus found"
            + " (user " + ProxiedJames.ALICE + ", from mallory@evil.example to " + ProxiedJames.ALICE
            + ", message-id <infected-1@evil.example>)");
    }

    private ILoggingEvent awaitLine(String fragment) {
        return Awaitility.await("a proxy log line containing '" + fragment + "' in " + events)
            .atMost(java.time.Duration.ofSeconds(20))
            .until(() -> events.stream().filter(event -> event.getFormattedMessage().contains(fragment)).findFirst(),
                java.util.Optional::isPresent)
            .orElseThrow();
    }

    private static javax.net.ssl.SSLContext clientTrust() {
        try {
            return JAMES.clientSslContext();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static javax.net.ssl.SSLContext sslContextTrusting(CertificateAuthority ca) {
        try {
            return ProxiedJames.sslContextTrusting(ca.certificate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
