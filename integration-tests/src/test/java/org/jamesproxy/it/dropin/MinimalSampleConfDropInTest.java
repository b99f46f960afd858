package org.jamesproxy.it.dropin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
import javax.net.ssl.SSLContext;

import org.awaitility.Awaitility;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.demo.JamesPorts;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.SelfSignedCertificates;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.TrustStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The minimal sample conf/mailproxy.xml, copied unchanged, boots a James 3.8.1 (separate JVM, drop-in jar) whose
 * listeners sit where stock James has them (IMAP 143/993, submission 587, POP3 110) with a self-signed key store as
 * conf/keystore (PKCS12, james72laBalle), like a keytool-made one. Through the three policies: IMAPS, POP3S and SMTP
 * submission log in and work, and the standard IMAP action strips an .exe attachment to invoice.exe.txt.
 */
@EndToEndTest
class MinimalSampleConfDropInTest {
    private static final String USER = "alice@demo.local";
    private static final String PASSWORD = "secret";
    /** Where the stock James 3.8.1 conf puts its listeners, and the minimal conf's proxy ports. */
    private static final int[] JAMES_PORTS = {143, 993, 587, 110};
    private static final int[] PROXY_PORTS = {10143, 10993, 10110, 10995, 10587, 10465};

    @Test
    void minimalSampleShouldBootUnchangedAndServeTheThreeProtocols(@TempDir Path root) throws Exception {
        assertPortsFree(JAMES_PORTS);
        assertPortsFree(PROXY_PORTS);
        IssuedCertificate selfSigned = SelfSignedCertificates.issue(
            ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build());
        int webAdmin = freePort();
        JamesHome home = JamesHome.builder(root)
            .ports(JamesPorts.builder().imap(143).imaps(993).smtp(587).pop3(110).webAdmin(webAdmin).build())
            .bindAddress("127.0.0.1")
            .serverCertificate(selfSigned)
            .keystoreSecret("james72laBalle")
            .defaultDomain("demo.local")
            .domain("demo.local")
            .pluginEnabled(true)
            .consoleLogLevel("WARN")
            .write();
        try (InputStream sample = getClass().getClassLoader().getResourceAsStream("sample-conf/mailproxy.xml")) {
            assertThat(sample).as("sample-conf/mailproxy.xml of james-conf").isNotNull();
            Files.write(home.mailProxyXml(), sample.readAllBytes());
        }
        home.copyExtensionJar(DropInJars.dropInJar());
        SSLContext trust = TrustStores.clientContext(TrustStores.of(selfSigned.certificate()));

        try (JamesProcess james = JamesProcess.start(home, DropInJars.jamesClasspath())) {
            james.awaitListening(concat(new int[]{143, 993, 587, 110, webAdmin}, PROXY_PORTS));
            createUser(webAdmin, james);

            sendWithExe(MailClients.smtpStartTls("localhost", 10587, trust));

            Awaitility.await("the message through the IMAP proxy").atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> inboxSize(MailClients.imaps("localhost", 10993, trust), "imaps") == 1);
            assertThat(attachmentNameViaImap(MailClients.imaps("localhost", 10993, trust))).isEqualTo("invoice.exe.txt");
            assertThat(inboxSize(MailClients.pop3s("localhost", 10995, trust), "pop3s")).isEqualTo(1);

            james.terminate();
            assertThat(james.jamesLog()).as(james.diagnostics()).doesNotContain("[ERROR]");
        }
    }

    private static void sendWithExe(Session session) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(USER));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(USER));
        message.setSubject("invoice");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("see attached");
        MimeBodyPart exe = new MimeBodyPart();
        exe.setContent(new byte[]{'M', 'Z', (byte) 0x90, 0, 3, 0, 0, 0}, "application/octet-stream");
        exe.setFileName("invoice.exe");
        exe.setDisposition(MimeBodyPart.ATTACHMENT);
        message.setContent(new MimeMultipart(text, exe));
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect(USER, PASSWORD);
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    private static int inboxSize(Session session, String protocol) throws Exception {
        try (Store store = session.getStore(protocol)) {
            store.connect(USER, PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                return inbox.getMessageCount();
            } finally {
                inbox.close(false);
            }
        }
    }

    private static String attachmentNameViaImap(Session session) throws Exception {
        try (Store store = session.getStore("imaps")) {
            store.connect(USER, PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                // The whole message (BODY.PEEK[]), which the proxy inspects; javax.mail's per-part fetches are
                // partial fetches, relayed as the policy's partialFetch says.
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                inbox.getMessage(1).writeTo(raw);
                MimeMessage whole = new MimeMessage(session, new ByteArrayInputStream(raw.toByteArray()));
                return ((Multipart) whole.getContent()).getBodyPart(1).getFileName();
            } finally {
                inbox.close(false);
            }
        }
    }

    private static void createUser(int webAdminPort, JamesProcess james) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webAdminPort + "/users/" + USER))
                .timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + PASSWORD + "\"}"))
                .header("Content-Type", "application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body() + "\n" + james.diagnostics()).isEqualTo(204);
    }

    private static void assertPortsFree(int... ports) {
        for (int port : ports) {
            assertThat(JamesProcess.accepts(port)).as("port " + port + " must be free for this test (the sample conf's"
                + " fixed ports)").isFalse();
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = new int[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The inputs integration-tests/pom.xml gives the drop-in tests; missing ones fail the test. */
    static final class DropInJars {
        static Path dropInJar() {
            String location = System.getProperty("dropin.jar");
            assertThat(location).as("system property dropin.jar (set by integration-tests/pom.xml)").isNotBlank();
            assertThat(Path.of(location)).as("the drop-in jar (mvn package builds it)").isRegularFile();
            return Path.of(location);
        }

        static String jamesClasspath() {
            String location = System.getProperty("james.runtime.classpath.file");
            assertThat(location).as("system property james.runtime.classpath.file").isNotBlank();
            try {
                return Files.readString(Path.of(location), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

}
