package org.jamesproxy.it.smtp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.apache.commons.net.smtp.SMTPSClient;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SMTP proxy end to end: real clients (javax.mail smtp+STARTTLS and smtps, commons-net, curl, openssl) submit
 * to the proxy hosted by James through the drop-in route; the proxy relays inline over verified STARTTLS to the same
 * James's SMTP, and the message is checked in the recipient's mailbox (read directly from James's IMAPS). DATA runs
 * through a proxy action made of James mailets (header strip; ProxyVerdict deny).
 */
@EndToEndTest
class SmtpProxyEndToEndTest {
    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int PROXY_PLAIN = FreePorts.next();
    private static final int PROXY_TLS = FreePorts.next();
    private static final int DENY_PLAIN = FreePorts.next();
    private static final int DENY_TLS = FreePorts.next();

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

    @TempDir
    static Path tempDir;

    /** Two policies toward James's SMTP over STARTTLS verified against the test CA; conf/keystore is James's own. */
    static String mailProxyXml(String keystoreSecret) {
        return "<mailproxy>\n"
            + "  <proxyActions>\n"
            + "    <action name=\"StripInternal\"><mailet match=\"All\" class=\"org.jamesproxy.mailet.StripHeaders\">"
            + "<patterns>^X-Secret</patterns></mailet></action>\n"
            + "    <action name=\"DenyVirus\"><mailet match=\"HasHeader=X-Virus\" class=\"org.jamesproxy.mailet.ProxyVerdict\">"
            + "<verdict>deny</verdict><reason>virus found</reason></mailet></action>\n"
            + "  </proxyActions>\n"
            + policy("submission", PROXY_PLAIN, PROXY_TLS, "StripInternal", keystoreSecret)
            + policy("deny", DENY_PLAIN, DENY_TLS, "DenyVirus", keystoreSecret)
            + "</mailproxy>\n";
    }

    private static String policy(String name, int plain, int tls, String action, String keystoreSecret) {
        return "  <smtpproxy>\n"
            + "    <name>" + name + "</name>\n"
            + "    <bind>127.0.0.1:" + plain + "</bind><tlsBind>127.0.0.1:" + tls + "</tlsBind>\n"
            + "    <helloName autodetect=\"false\">proxy.demo.local</helloName>\n"
            + "    <tls><keystore>file://conf/keystore</keystore><keystoreType>PKCS12</keystoreType>"
            + "<secret>" + keystoreSecret + "</secret></tls>\n"
            + "    <upstream><host>localhost</host><port>" + JAMES.jamesSmtp + "</port><tls>starttls</tls>"
            + "<trustStore>file://conf/ca.pem</trustStore><expectedHostName>localhost</expectedHostName></upstream>\n"
            + "    <proxyAction>" + action + "</proxyAction>\n"
            + "    <limits><maxMessageSize>10M</maxMessageSize><maxRecipients>10</maxRecipients></limits>\n"
            + "  </smtpproxy>\n";
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

    private static MimeMessage message(Session session, String subject, String header, String value) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("bob@demo.local"));
        message.setRecipients(Message.RecipientType.TO, ProxiedJames.ALICE);
        message.setSubject(subject);
        message.setHeader(header, value);
        message.setHeader("X-Kept", "yes");
        message.setText("Body of " + subject + "\r\n.a line starting with a dot\r\nlast line\r\n");
        message.saveChanges();
        return message;
    }

    private static String rawMessage(String subject, String header) {
        return "From: bob@demo.local\r\nTo: " + ProxiedJames.ALICE + "\r\nSubject: " + subject + "\r\n" + header
            + "\r\nX-Kept: yes\r\n\r\nBody of " + subject + "\r\n";
    }

    /** The delivered message with that subject, read directly from James (not through any proxy). */
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

    private static long deliveredCount(String subject) throws Exception {
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                long count = 0;
                for (Message message : inbox.getMessages()) {
                    if (subject.equals(message.getSubject())) {
                        count++;
                    }
                }
                return count;
            } finally {
                inbox.close(false);
            }
        }
    }

    private static String awaitDelivered(String subject) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> delivered(subject), Optional::isPresent).get();
    }

    private static String unique(String subject) {
        return subject + " " + System.nanoTime();
    }

    @Test
    void javaMailStartTlsSubmissionShouldBeDeliveredWithHeadersStrippedByTheProxyAction() throws Exception {
        Session session = MailClients.smtpStartTls("localhost", PROXY_PLAIN, JAMES.clientSslContext());
        String subject = unique("starttls submission");

        Transport.send(message(session, subject, "X-Secret", "internal-42"));

        String delivered = awaitDelivered(subject);
        assertThat(delivered).contains("X-Kept: yes", "Body of " + subject, "\r\n.a line starting with a dot\r\n")
            .doesNotContain("X-Secret", "internal-42");
        assertThat(deliveredCount(subject)).isEqualTo(1);
    }

    @Test
    void javaMailSmtpsSubmissionShouldBeDelivered() throws Exception {
        Session session = MailClients.smtps("localhost", PROXY_TLS, JAMES.clientSslContext());
        String subject = unique("smtps submission");

        try (Transport transport = session.getTransport("smtps")) {
            transport.connect();
            MimeMessage message = message(session, subject, "X-Secret", "x");
            transport.sendMessage(message, message.getAllRecipients());
        }

        assertThat(awaitDelivered(subject)).contains("Body of " + subject).doesNotContain("X-Secret");
    }

    @Test
    void denyVerdictShouldGive554AndDeliverNothing() throws Exception {
        Session session = MailClients.smtpStartTls("localhost", DENY_PLAIN, JAMES.clientSslContext());
        String infected = unique("infected");
        String clean = unique("clean");

        assertThatThrownBy(() -> Transport.send(message(session, infected, "X-Virus", "EICAR")))
            .isInstanceOf(MessagingException.class)
            .hasStackTraceContaining("554 5.7.1 virus found");
        Transport.send(message(session, clean, "X-Other", "fine"));

        awaitDelivered(clean);
        assertThat(delivered(infected)).isEmpty();
    }

    @Test
    void commonsNetImplicitTlsClientShouldBeDelivered() throws Exception {
        SMTPSClient client = new SMTPSClient(true, JAMES.clientSslContext());
        client.setEndpointCheckingEnabled(true);
        String subject = unique("commons-net smtps");
        client.connect("localhost", PROXY_TLS);
        try {
            assertThat(SMTPReply.isPositiveCompletion(client.getReplyCode())).isTrue();
            assertThat(client.login("client.test")).isTrue();
            assertThat(client.setSender("bob@demo.local")).isTrue();
            assertThat(client.addRecipient(ProxiedJames.ALICE)).isTrue();
            try (Writer writer = client.sendMessageData()) {
                writer.write(rawMessage(subject, "X-Secret: commons"));
            }
            assertThat(client.completePendingCommand()).as(client.getReplyString()).isTrue();
            client.logout();
        } finally {
            client.disconnect();
        }

        assertThat(awaitDelivered(subject)).doesNotContain("X-Secret");
    }

    @Test
    void commonsNetStartTlsClientShouldBeDelivered() throws Exception {
        SMTPSClient client = new SMTPSClient(false, JAMES.clientSslContext());
        client.setEndpointCheckingEnabled(true);
        String subject = unique("commons-net starttls");
        client.connect("localhost", PROXY_PLAIN);
        try {
            assertThat(client.login("client.test")).isTrue();
            assertThat(client.execTLS()).as(client.getReplyString()).isTrue();
            assertThat(client.login("client.test")).isTrue();
            assertThat(client.sendSimpleMessage("bob@demo.local", ProxiedJames.ALICE, rawMessage(subject, "X-Other: 1")))
                .as(client.getReplyString()).isTrue();
            client.logout();
        } finally {
            client.disconnect();
        }

        assertThat(awaitDelivered(subject)).contains("X-Other: 1");
    }

    @Test
    void commonsNetPlainClientShouldBeRefusedAuthBeforeStartTls() throws Exception {
        SMTPClient client = new SMTPClient();
        client.connect("localhost", PROXY_PLAIN);
        try {
            client.sendCommand("EHLO client.test");
            assertThat(client.getReplyStrings()).noneMatch(line -> line.contains("AUTH"));
            assertThat(client.sendCommand("AUTH PLAIN AGFsaWNlQGRlbW8ubG9jYWwAc2VjcmV0")).isEqualTo(530);
        } finally {
            client.disconnect();
        }
    }

    @Test
    void curlShouldSubmitOverStartTls() throws Exception {
        File caPem = JAMES.writeCaPem(tempDir).toFile();
        String subject = unique("curl starttls");
        Path mail = Files.writeString(tempDir.resolve("curl-mail.eml"), rawMessage(subject, "X-Secret: curl"), UTF_8);
        Process curl = new ProcessBuilder("curl", "--silent", "--show-error", "--max-time", "30", "--ssl-reqd",
            "--cacert", caPem.getAbsolutePath(),
            "--mail-from", "bob@demo.local", "--mail-rcpt", ProxiedJames.ALICE,
            "--upload-file", mail.toString(),
            "smtp://localhost:" + PROXY_PLAIN)
            .redirectErrorStream(true)
            .start();
        String output = new String(curl.getInputStream().readAllBytes(), UTF_8);

        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(output).isZero();
        assertThat(awaitDelivered(subject)).contains("Body of " + subject).doesNotContain("X-Secret");
    }

    @Test
    void opensslStartTlsShouldShowTheFilteredExtensions() throws Exception {
        File caPem = JAMES.writeCaPem(tempDir).toFile();
        Process openssl = new ProcessBuilder("openssl", "s_client", "-quiet", "-starttls", "smtp",
            "-connect", "127.0.0.1:" + PROXY_PLAIN, "-servername", "localhost", "-name", "client.test",
            "-CAfile", caPem.getAbsolutePath(), "-verify_return_error", "-verify_hostname", "localhost")
            .redirectErrorStream(true)
            .start();
        java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(openssl.getInputStream(), UTF_8));
        StringBuilder transcript = new StringBuilder();
        // s_client prints the end of its own pre-TLS EHLO exchange; our EHLO's answer starts with our hello name.
        for (String command : List.of("EHLO client.test", "QUIT")) {
            openssl.getOutputStream().write((command + "\r\n").getBytes(UTF_8));
            openssl.getOutputStream().flush();
            String line;
            while ((line = reader.readLine()) != null) {
                transcript.append(line).append('\n');
                boolean finalLine = line.length() > 3 && line.charAt(3) == ' ' && Character.isDigit(line.charAt(0));
                if (finalLine && (command.equals("QUIT") || transcript.indexOf("250-proxy.demo.local") >= 0)) {
                    break;
                }
            }
        }
        String output = transcript.toString();

        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String afterTls = output.substring(output.indexOf("250-proxy.demo.local"));
        assertThat(afterTls).contains("250-SIZE 10485760", "PIPELINING", "221").doesNotContain("STARTTLS", "CHUNKING");
    }

    @Test
    void startTlsWithPipelinedCommandAfterACompletedTransactionShouldBeRefused() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), PROXY_PLAIN)) {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            String subject = unique("before starttls injection");
            StringBuilder transcript = new StringBuilder();
            transcript.append(readReply(in));
            for (String command : List.of("EHLO client.test", "MAIL FROM:<bob@demo.local>", "RCPT TO:<" + ProxiedJames.ALICE + ">", "DATA")) {
                out.write((command + "\r\n").getBytes(UTF_8));
                transcript.append(readReply(in));
            }
            out.write((rawMessage(subject, "X-Other: 1") + ".\r\n").getBytes(UTF_8));
            transcript.append(readReply(in));

            out.write("STARTTLS\r\nNOOP\r\n".getBytes(UTF_8));
            String answer = readReply(in);

            // James's own acceptance text, relayed unchanged.
            assertThat(transcript.toString()).contains("354", "250 2.6.0 Message received");
            assertThat(answer).startsWith("554 5.5.1");
            assertThat(in.read()).isEqualTo(-1);
            awaitDelivered(subject);
        }
    }

    @Test
    void clientDroppingMidDataShouldDeliverNothingAndADuplicateFreeRetryShouldArriveOnce() throws Exception {
        String subject = unique("dropped mid-data");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), PROXY_PLAIN)) {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            readReply(in);
            for (String command : List.of("EHLO client.test", "MAIL FROM:<bob@demo.local>", "RCPT TO:<" + ProxiedJames.ALICE + ">", "DATA")) {
                out.write((command + "\r\n").getBytes(UTF_8));
                readReply(in);
            }
            out.write(rawMessage(subject, "X-Other: 1").getBytes(UTF_8));
            out.flush();
        }
        Session session = MailClients.smtpStartTls("localhost", PROXY_PLAIN, JAMES.clientSslContext());

        Transport.send(message(session, subject, "X-Other", "retry"));

        awaitDelivered(subject);
        assertThat(deliveredCount(subject)).isEqualTo(1);
        assertThat(delivered(subject).orElseThrow()).contains("X-Other: retry");
    }

    private static String readReply(InputStream in) throws IOException {
        StringBuilder reply = new StringBuilder();
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            line.append((char) b);
            if (b == '\n') {
                reply.append(line);
                if (line.length() < 4 || line.charAt(3) != '-') {
                    return reply.toString();
                }
                line.setLength(0);
            }
        }
        return reply.append(line).toString();
    }
}
