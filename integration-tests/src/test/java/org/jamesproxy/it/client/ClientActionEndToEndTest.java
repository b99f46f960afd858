package org.jamesproxy.it.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLSocket;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.PemFiles;
import org.jamesproxy.tls.pki.Pkcs12KeyStores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "Client" (outbound) proxy action end to end: the proxy hosted by James (drop-in route) routes by the name real
 * clients ask for (SNI) to the same James's IMAPS and SMTP (STARTTLS), verifying them against the test CA, and shows
 * the clients certificates minted by a Proxy Authority loaded from conf/proxy-authority.p12. The clients trust only
 * the Proxy Authority.
 */
@EndToEndTest
class ClientActionEndToEndTest {
    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final CertificateAuthority PROXY_AUTHORITY = CertificateAuthority.create("CN=IT Proxy Authority");
    private static final String SECRET = "changeit";
    private static final int IMAP_PLAIN = FreePorts.next();
    private static final int IMAP_TLS = FreePorts.next();
    private static final int SMTP_PLAIN = FreePorts.next();
    private static final int SMTP_TLS = FreePorts.next();

    @RegisterExtension
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir -> {
        JamesHome home = JAMES.home(tmpDir.toPath()).pluginEnabled(true).write();
        JAMES.writeCaPem(home.confDirectory());
        Pkcs12KeyStores.write(PROXY_AUTHORITY.asIssuedCertificate(), home.confDirectory().resolve("proxy-authority.p12"),
            "proxy-authority", SECRET.toCharArray());
        write(home.mailProxyXml(), "<mailproxy><proxyActions><action name=\"StripInternal\"><mailet match=\"All\" "
            + "class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>^X-Secret</patterns></mailet></action></proxyActions>\n"
            + policy("imapproxy", "outbound-imap", IMAP_PLAIN, IMAP_TLS,
                "<tls>implicit</tls><port>" + JAMES.jamesImaps + "</port>")
            + policy("smtpproxy", "outbound-smtp", SMTP_PLAIN, SMTP_TLS,
                "<tls>starttls</tls><port>" + JAMES.jamesSmtp + "</port>")
            + "</mailproxy>\n");
        return home.memoryConfiguration();
    })
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    @TempDir
    static Path tempDir;

    private static String policy(String element, String name, int plain, int tls, String upstream) {
        return "<" + element + "><name>" + name + "</name>"
            + "<proxyActionDirection>client</proxyActionDirection><tlsSupport>enabled</tlsSupport>"
            + "<bind>127.0.0.1:" + plain + "</bind><tlsBind>127.0.0.1:" + tls + "</tlsBind>"
            + "<jmxName>" + element + "-" + name + "</jmxName><helloName autodetect=\"false\">proxy.demo.local</helloName>"
            + "<clientAction><routing>sni</routing>"
            + "<allowedDestinations><destination>localhost</destination></allowedDestinations>"
            + "<proxyAuthority><keyStore>file://conf/proxy-authority.p12</keyStore><secret>" + SECRET + "</secret></proxyAuthority>"
            + "</clientAction>"
            + "<upstream>" + upstream + "<trustStore>file://conf/ca.pem</trustStore></upstream>"
            + "<proxyAction>StripInternal</proxyAction>"
            + "</" + element + ">\n";
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.appendMessages(new Message[] {message(direct, "outbound hello")});
            inbox.close(false);
        }
    }

    private static MimeMessage message(Session session, String subject) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("bob@demo.local"));
        message.setRecipients(Message.RecipientType.TO, ProxiedJames.ALICE);
        message.setSubject(subject);
        message.setHeader("X-Secret", "internal-42");
        message.setText("Body of " + subject + "\r\n");
        message.saveChanges();
        return message;
    }

    private static SniSocketFactory trustingProxyAuthorityOnly(String serverName) throws Exception {
        return new SniSocketFactory(ProxiedJames.sslContextTrusting(PROXY_AUTHORITY.certificate()).getSocketFactory(), serverName);
    }

    private static Session imaps(SniSocketFactory sockets) {
        Properties properties = new Properties();
        properties.put("mail.imaps.host", "localhost");
        properties.put("mail.imaps.port", String.valueOf(IMAP_TLS));
        properties.put("mail.imaps.ssl.socketFactory", sockets);
        properties.put("mail.imaps.ssl.checkserveridentity", "true");
        properties.put("mail.imaps.connectiontimeout", "10000");
        properties.put("mail.imaps.timeout", "30000");
        return Session.getInstance(properties);
    }

    private static void assertMintedForLocalhost(SniSocketFactory sockets) throws Exception {
        SSLSocket socket = sockets.created().get(sockets.created().size() - 1);
        X509Certificate presented = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        assertThat(presented.getIssuerX500Principal()).isEqualTo(PROXY_AUTHORITY.certificate().getSubjectX500Principal());
        assertThat(presented.getSubjectAlternativeNames()).anyMatch(name -> "localhost".equals(String.valueOf(name.get(1)).toLowerCase(Locale.US)));
    }

    @Test
    void javaMailImapsWithSniShouldReadThroughTheProxyActionAndSeeAMintedCertificate() throws Exception {
        SniSocketFactory sockets = trustingProxyAuthorityOnly("localhost");
        try (Store store = imaps(sockets).getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
            inbox.getMessage(1).writeTo(raw);

            assertMintedForLocalhost(sockets);
            assertThat(raw.toString(UTF_8)).contains("Subject: outbound hello").doesNotContain("X-Secret");
            inbox.close(false);
        }
    }

    @Test
    void imapsClientAskingForAnotherNameShouldBeRefused() throws Exception {
        SniSocketFactory sockets = trustingProxyAuthorityOnly("imap.elsewhere.example");

        assertThatThrownBy(() -> {
            try (Store store = imaps(sockets).getStore("imaps")) {
                store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            }
        }).isInstanceOf(MessagingException.class);
    }

    @Test
    void javaMailSmtpStartTlsWithSniShouldBeRoutedAfterStartTlsAndDelivered() throws Exception {
        SniSocketFactory sockets = trustingProxyAuthorityOnly("localhost");
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "localhost");
        properties.put("mail.smtp.port", String.valueOf(SMTP_PLAIN));
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.starttls.required", "true");
        properties.put("mail.smtp.ssl.socketFactory", sockets);
        properties.put("mail.smtp.ssl.checkserveridentity", "true");
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "30000");
        properties.put("mail.smtp.localhost", "client.test");
        Session session = Session.getInstance(properties);
        String subject = "outbound submission " + System.nanoTime();

        Transport.send(message(session, subject));

        assertMintedForLocalhost(sockets);
        String delivered = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> delivered(subject), java.util.Optional::isPresent).get();
        assertThat(delivered).contains("Body of " + subject).doesNotContain("X-Secret");
    }

    @Test
    void opensslWithServerNameShouldVerifyTheMintedChainOnTheImplicitPort() throws Exception {
        Path authority = PemFiles.writeCertificate(PROXY_AUTHORITY.certificate(), tempDir.resolve("proxy-authority.pem"));
        Process openssl = new ProcessBuilder("openssl", "s_client", "-quiet", "-connect", "127.0.0.1:" + IMAP_TLS,
            "-servername", "localhost", "-CAfile", authority.toString(), "-verify_return_error", "-verify_hostname", "localhost")
            .redirectErrorStream(true)
            .start();
        openssl.getOutputStream().write("a LOGOUT\r\n".getBytes(UTF_8));
        openssl.getOutputStream().flush();

        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(openssl.getInputStream().readAllBytes(), UTF_8);
        assertThat(output).contains("verify return:1", "* OK", "a OK").doesNotContain("verify error");
    }

    private static java.util.Optional<String> delivered(String subject) throws Exception {
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                for (Message message : inbox.getMessages()) {
                    if (subject.equals(message.getSubject())) {
                        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
                        message.writeTo(raw);
                        return java.util.Optional.of(raw.toString(UTF_8));
                    }
                }
                return java.util.Optional.empty();
            } finally {
                inbox.close(false);
            }
        }
    }
}
