package org.jamesproxy.it.pop3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.pop3.POP3SClient;
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

import com.google.common.io.CharStreams;

/**
 * The POP3 proxy end to end: real clients (javax.mail, commons-net, curl, openssl s_client) speak POP3 to the
 * proxy hosted by James through the drop-in route (extensions.properties + mailproxy.xml), the proxy relays over
 * verified TLS to the same James's POP3S, and every RETR runs through a proxy action made of James mailets.
 */
@EndToEndTest
class Pop3ProxyEndToEndTest {
    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int PROXY_PLAIN = FreePorts.next();
    private static final int PROXY_TLS = FreePorts.next();
    private static final int DENY_PLAIN = FreePorts.next();
    private static final int DENY_TLS = FreePorts.next();
    private static final String ACTIONS = "<action name=\"StripInternal\"><mailet match=\"All\" "
        + "class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>^X-Secret</patterns></mailet></action>"
        + "<action name=\"DenyVirus\"><mailet match=\"HasHeader=X-Virus\" class=\"org.jamesproxy.mailet.ProxyVerdict\">"
        + "<verdict>deny</verdict><reason>virus found</reason></mailet></action>";

    @RegisterExtension
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir -> {
        JamesHome home = JAMES.pop3Home(tmpDir.toPath()).write();
        JAMES.writePop3ProxyXml(home, ACTIONS,
            // James 3.8.1 greets with an APOP challenge but answers APOP with -ERR; curl prefers APOP when it sees one.
            JAMES.pop3ProxyToJames(home, "inbound", PROXY_PLAIN, PROXY_TLS,
                "<proxyAction>StripInternal</proxyAction><offerApop>false</offerApop>"),
            JAMES.pop3ProxyToJames(home, "deny", DENY_PLAIN, DENY_TLS, "<proxyAction>DenyVirus</proxyAction>"));
        return home.memoryConfiguration();
    })
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    @TempDir
    static Path tempDir;

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.appendMessages(new Message[] {message(direct, "hello", "X-Secret", "internal-42"),
                message(direct, "infected", "X-Virus", "EICAR")});
            inbox.close(false);
        }
    }

    private static MimeMessage message(Session session, String subject, String header, String value) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("bob@demo.local"));
        message.setRecipients(Message.RecipientType.TO, ProxiedJames.ALICE);
        message.setSubject(subject);
        message.setHeader(header, value);
        message.setHeader("X-Kept", "yes");
        // A line that is only a dot and one that starts with one: both must survive de-stuffing and re-stuffing.
        message.setText("Body of " + subject + "\r\n.\r\n.dotted line\r\nsecond line\r\n");
        message.saveChanges();
        return message;
    }

    private static String raw(Message message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(UTF_8);
    }

    @Test
    void pop3sClientShouldRetrieveMessagesWithHeadersStrippedByTheProxyAction() throws Exception {
        Session session = MailClients.pop3s("localhost", PROXY_TLS, JAMES.clientSslContext());
        try (Store store = session.getStore("pop3s")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            String hello = raw(inbox.getMessage(1));

            assertThat(inbox.getMessageCount()).isEqualTo(2);
            assertThat(hello).contains("Subject: hello", "X-Kept: yes", "Body of hello\r\n.\r\n.dotted line\r\nsecond line");
            assertThat(hello).doesNotContain("X-Secret", "internal-42");
            inbox.close(false);
        }
    }

    @Test
    void startTlsRequiredClientShouldLogInAndRetrieveThroughThePlainPort() throws Exception {
        Session session = MailClients.pop3StartTls("localhost", PROXY_PLAIN, JAMES.clientSslContext());
        try (Store store = session.getStore("pop3")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            // javax.mail reads the headers with TOP n 0: the header section goes through the action too.
            assertThat(inbox.getMessage(1).getSubject()).isEqualTo("hello");
            assertThat(inbox.getMessage(1).getHeader("X-Secret")).isNull();
            assertThat(raw(inbox.getMessage(1))).doesNotContain("X-Secret").contains("Body of hello");
            inbox.close(false);
        }
    }

    @Test
    void denyVerdictShouldReplaceTheMessageWithTheDenyNotice() throws Exception {
        Session session = MailClients.pop3s("localhost", DENY_TLS, JAMES.clientSslContext());
        try (Store store = session.getStore("pop3s")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            String infected = raw(inbox.getMessage(2));
            String clean = raw(inbox.getMessage(1));

            assertThat(infected).contains("X-JamesProxy-Denied: virus found", "Subject: [Denied] infected")
                .doesNotContain("Body of infected", "X-Virus: EICAR");
            assertThat(clean).contains("Body of hello");
            inbox.close(false);
        }
    }

    @Test
    void commonsNetImplicitTlsClientShouldListAndRetrieve() throws Exception {
        POP3SClient client = new POP3SClient(true, JAMES.clientSslContext());
        client.setEndpointCheckingEnabled(true);
        client.connect("localhost", PROXY_TLS);
        try {
            assertThat(client.login(ProxiedJames.ALICE, ProxiedJames.PASSWORD)).isTrue();
            POP3MessageInfo[] listing = client.listMessages();
            String message;
            try (Reader reader = client.retrieveMessage(1)) {
                message = CharStreams.toString(reader);
            }

            assertThat(listing).hasSize(2);
            assertThat(client.listUniqueIdentifiers()).hasSize(2);
            assertThat(message).contains("Subject: hello", "Body of hello").doesNotContain("X-Secret");
            assertThat(client.logout()).isTrue();
        } finally {
            client.disconnect();
        }
    }

    @Test
    void commonsNetClientShouldUpgradeWithStlsOnThePlainPort() throws Exception {
        POP3SClient client = new POP3SClient(false, JAMES.clientSslContext());
        client.setEndpointCheckingEnabled(true);
        client.connect("localhost", PROXY_PLAIN);
        try {
            assertThat(client.capa()).isTrue();
            assertThat(String.join("\n", client.getReplyStrings())).contains("STLS").doesNotContain("USER");
            assertThat(client.execTLS()).isTrue();
            assertThat(client.login(ProxiedJames.ALICE, ProxiedJames.PASSWORD)).isTrue();
            String message;
            try (Reader reader = client.retrieveMessageTop(1, 0)) {
                message = CharStreams.toString(reader);
            }

            assertThat(message).contains("Subject: hello").doesNotContain("X-Secret", "Body of hello");
            assertThat(client.logout()).isTrue();
        } finally {
            client.disconnect();
        }
    }

    @Test
    void curlShouldRetrieveAMessageOverPop3s() throws Exception {
        File caPem = JAMES.writeCaPem(tempDir).toFile();
        Process curl = new ProcessBuilder("curl", "--silent", "--show-error", "--max-time", "30",
            "--cacert", caPem.getAbsolutePath(),
            "--user", ProxiedJames.ALICE + ":" + ProxiedJames.PASSWORD,
            "pop3s://localhost:" + PROXY_TLS + "/1")
            .redirectErrorStream(true)
            .start();
        String output = new String(curl.getInputStream().readAllBytes(), UTF_8);

        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(output).isZero();
        assertThat(output).contains("Subject: hello", ".dotted line").doesNotContain("X-Secret");
    }

    @Test
    void opensslStartTlsShouldWorkAndTheCapabilitiesShouldBeHonest() throws Exception {
        File caPem = JAMES.writeCaPem(tempDir).toFile();
        Process openssl = new ProcessBuilder("openssl", "s_client", "-quiet", "-starttls", "pop3",
            "-connect", "127.0.0.1:" + PROXY_PLAIN, "-servername", "localhost",
            "-CAfile", caPem.getAbsolutePath(), "-verify_return_error", "-verify_hostname", "localhost")
            .redirectErrorStream(true)
            .start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(openssl.getInputStream(), UTF_8));
        StringBuilder transcript = new StringBuilder();
        // One command at a time, each answer read to its end (single line, or multi-line up to ".").
        for (String command : List.of("CAPA", "USER " + ProxiedJames.ALICE, "PASS " + ProxiedJames.PASSWORD,
            "RETR 1", "QUIT")) {
            openssl.getOutputStream().write((command + "\r\n").getBytes(UTF_8));
            openssl.getOutputStream().flush();
            boolean multiLine = command.equals("CAPA") || command.startsWith("RETR");
            String line;
            while ((line = reader.readLine()) != null) {
                transcript.append(line).append('\n');
                if (line.startsWith("-ERR") || (line.startsWith("+OK") && !multiLine) || (multiLine && line.equals("."))) {
                    break;
                }
            }
        }
        String output = transcript.toString();

        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).contains("USER\n", "PIPELINING", "Subject: hello", "..dotted line")
            .doesNotContain("STLS", "X-Secret", "-ERR");
    }
}
