package org.jamesproxy.it.imap;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.mail.Flags;
import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.jamesproxy.demo.ProxyAction;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.sun.mail.imap.IMAPFolder;

/**
 * The spine, end to end: real clients (javax.mail, curl, openssl s_client) speak IMAP to the proxy hosted by James
 * through the drop-in route (extensions.properties + mailproxy.xml), the proxy relays over verified TLS to the same
 * James's IMAPS, and every full-message fetch runs through a proxy action made of James mailets.
 */
@EndToEndTest
class ImapProxyEndToEndTest {
    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int PROXY_PLAIN = FreePorts.next();
    private static final int PROXY_TLS = FreePorts.next();
    private static final int DENY_PLAIN = FreePorts.next();
    private static final int DENY_TLS = FreePorts.next();

    @RegisterExtension
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir ->
        JAMES.home(tmpDir.toPath())
            .proxy(JAMES.proxyToJames("inbound", PROXY_PLAIN, PROXY_TLS)
                .proxyAction(ProxyAction.of("StripInternal",
                    "<mailet match=\"All\" class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>^X-Secret</patterns></mailet>"))
                .build())
            .proxy(JAMES.proxyToJames("deny", DENY_PLAIN, DENY_TLS)
                .proxyAction(ProxyAction.of("DenyVirus",
                    "<mailet match=\"HasHeader=X-Virus\" class=\"org.jamesproxy.mailet.ProxyVerdict\">"
                        + "<verdict>deny</verdict><reason>virus found</reason></mailet>"))
                .build())
            .write()
            .memoryConfiguration())
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
        message.setText("Body of " + subject + "\r\nsecond line\r\n");
        message.saveChanges();
        return message;
    }

    private static String raw(Message message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(UTF_8);
    }

    @Test
    void implicitTlsClientShouldReadMessagesWithHeadersStrippedByTheProxyAction() throws Exception {
        Session session = MailClients.imaps("localhost", PROXY_TLS, JAMES.clientSslContext());
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            String hello = raw(inbox.getMessage(1));

            assertThat(hello).contains("Subject: hello", "X-Kept: yes", "Body of hello\r\nsecond line");
            assertThat(hello).doesNotContain("X-Secret", "internal-42");
        }
    }

    @Test
    void startTlsClientShouldLogInAndReadThroughThePlainPort() throws Exception {
        Session session = MailClients.imapStartTls("localhost", PROXY_PLAIN, JAMES.clientSslContext());
        try (Store store = session.getStore("imap")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            assertThat(inbox.getMessage(1).getSubject()).isEqualTo("hello");
            // Header fetch (BODY.PEEK[HEADER]): the header section runs through the action too.
            assertThat(inbox.getMessage(1).getHeader("X-Secret")).isNull();
            assertThat(inbox.getMessage(1).getHeader("X-Kept")).containsExactly("yes");
        }
    }

    @Test
    void denyVerdictShouldReplaceTheMessageWithTheDenyNotice() throws Exception {
        Session session = MailClients.imaps("localhost", DENY_TLS, JAMES.clientSslContext());
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            String infected = raw(inbox.getMessage(2));
            String clean = raw(inbox.getMessage(1));

            assertThat(infected).contains("X-JamesProxy-Denied: virus found", "Subject: [Denied] infected")
                .doesNotContain("Body of infected", "X-Virus: EICAR");
            assertThat(clean).contains("Body of hello");
        }
    }

    @Test
    void appendedMessageShouldReachTheUpstreamMailboxIntact() throws Exception {
        Session session = MailClients.imaps("localhost", PROXY_TLS, JAMES.clientSslContext());
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder drafts = store.getFolder("Drafts-" + System.nanoTime());
            drafts.create(Folder.HOLDS_MESSAGES);
            drafts.open(Folder.READ_WRITE);
            MimeMessage message = message(session, "appended through the proxy", "X-Client", "javamail");
            drafts.appendMessages(new Message[] {message});

            Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
            try (Store upstream = direct.getStore("imaps")) {
                upstream.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
                Folder copy = upstream.getFolder(drafts.getName());
                copy.open(Folder.READ_ONLY);
                assertThat(copy.getMessageCount()).isEqualTo(1);
                assertThat(copy.getMessage(1).getSubject()).isEqualTo("appended through the proxy");
                assertThat(raw(copy.getMessage(1))).contains("Body of appended through the proxy");
            }
        }
    }

    @Test
    void idleShouldDeliverUpdatesThroughTheProxy() throws Exception {
        Session session = MailClients.imaps("localhost", PROXY_TLS, JAMES.clientSslContext());
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            int before = inbox.getMessageCount();
            Thread idler = new Thread(() -> {
                try {
                    inbox.idle(true);
                } catch (Exception e) {
                    // the test asserts on the message count below
                }
            });
            idler.start();

            Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
            try (Store upstream = direct.getStore("imaps")) {
                upstream.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
                Folder folder = upstream.getFolder("INBOX");
                folder.open(Folder.READ_WRITE);
                folder.appendMessages(new Message[] {message(direct, "while idling", "X-Test", "idle")});
            }
            idler.join(TimeUnit.SECONDS.toMillis(30));

            assertThat(idler.isAlive()).isFalse();
            assertThat(inbox.getMessageCount()).isEqualTo(before + 1);
        }
    }

    @Test
    void storeCopyAndSearchShouldBehaveAsOnTheUpstream() throws Exception {
        Session session = MailClients.imaps("localhost", PROXY_TLS, JAMES.clientSslContext());
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Folder archive = store.getFolder("Archive-" + System.nanoTime());
            archive.create(Folder.HOLDS_MESSAGES);

            inbox.setFlags(new int[] {1}, new Flags(Flags.Flag.FLAGGED), true);
            inbox.copyMessages(new Message[] {inbox.getMessage(1)}, archive);
            Message[] flagged = inbox.search(new javax.mail.search.FlagTerm(new Flags(Flags.Flag.FLAGGED), true));

            assertThat(flagged).extracting(Message::getSubject).contains("hello");
            archive.open(Folder.READ_ONLY);
            assertThat(archive.getMessageCount()).isEqualTo(1);
        }
    }

    @Test
    void curlShouldFetchAMessageOverImaps() throws Exception {
        File caPem = JAMES.writeCaPem(tempDir).toFile();
        Process curl = new ProcessBuilder("curl", "--silent", "--show-error", "--max-time", "30",
            "--cacert", caPem.getAbsolutePath(),
            "--user", ProxiedJames.ALICE + ":" + ProxiedJames.PASSWORD,
            "imaps://localhost:" + PROXY_TLS + "/INBOX;MAILINDEX=1")
            .redirectErrorStream(true)
            .start();
        String output = new String(curl.getInputStream().readAllBytes(), UTF_8);

        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(output).isZero();
        assertThat(output).contains("Subject: hello").doesNotContain("X-Secret");
    }

    @Test
    void opensslStartTlsShouldWorkAndTheCapabilitiesShouldBeHonest() throws Exception {
        File caPem = JAMES.writeCaPem(tempDir).toFile();
        Process openssl = new ProcessBuilder("openssl", "s_client", "-quiet", "-starttls", "imap",
            "-connect", "127.0.0.1:" + PROXY_PLAIN, "-servername", "localhost",
            "-CAfile", caPem.getAbsolutePath(), "-verify_return_error", "-verify_hostname", "localhost")
            .redirectErrorStream(true)
            .start();
        // One command at a time, as RFC 3501 5.5 asks of clients when a command depends on the previous one.
        java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(openssl.getInputStream(), UTF_8));
        StringBuilder transcript = new StringBuilder();
        for (String command : List.of("c1 CAPABILITY", "c2 LOGIN " + ProxiedJames.ALICE + " " + ProxiedJames.PASSWORD,
            "c3 SELECT INBOX", "c4 FETCH 1 (BODY.PEEK[])", "c5 LOGOUT")) {
            openssl.getOutputStream().write((command + "\r\n").getBytes(UTF_8));
            openssl.getOutputStream().flush();
            String tag = command.substring(0, 2) + " ";
            String line;
            while ((line = reader.readLine()) != null) {
                transcript.append(line).append('\n');
                if (line.startsWith(tag)) {
                    break;
                }
            }
        }
        String output = transcript.toString();

        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = Arrays.asList(output.split("\r?\n"));
        String capability = lines.stream().filter(line -> line.startsWith("* CAPABILITY")).findFirst().orElse("");
        assertThat(capability.toUpperCase(java.util.Locale.US)).contains("IMAP4REV1", "AUTH=PLAIN").doesNotContain("STARTTLS", "LOGINDISABLED", "COMPRESS");
        assertThat(output).contains("c2 OK", "c4 OK", "Subject: hello").doesNotContain("X-Secret");
        assertThat(Collections.frequency(lines, "c5 OK LOGOUT completed.")).isLessThanOrEqualTo(1);
    }
}
