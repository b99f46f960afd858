package org.jamesproxy.it.imap;

import static org.assertj.core.api.Assertions.assertThat;

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
import javax.mail.internet.MimeMessage;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.jamesproxy.demo.ProxyAction;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.jamesproxy.it.testing.EndToEndContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.sun.mail.imap.IMAPFolder;

/**
 * The spine, end to end: real clients (javax.mail, curl, openssl s_client) speak IMAP to the proxy hosted by James
 * through the drop-in route (extensions.properties + mailproxy.xml), the proxy relays over verified TLS to the same
 * James's IMAPS, and every full-message fetch runs through a proxy action made of James mailets. What POP3 shares:
 * {@link EndToEndContract}; here IMAP's own (APPEND, IDLE, STORE/COPY/SEARCH).
 */
@EndToEndTest
class ImapProxyEndToEndTest implements EndToEndContract {
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
        EndToEndContract.provision(server, JAMES, ImapProxyEndToEndTest::body);
    }

    private static String body(String subject) {
        return "Body of " + subject + "\r\nsecond line\r\n";
    }

    private static MimeMessage message(Session session, String subject, String header, String value) throws Exception {
        return EndToEndContract.message(session, subject, header, value, body(subject));
    }

    private static String raw(Message message) throws Exception {
        return EndToEndContract.raw(message);
    }

    @Override
    public ProxiedJames james() {
        return JAMES;
    }

    @Override
    public int proxyPlainPort() {
        return PROXY_PLAIN;
    }

    @Override
    public int proxyTlsPort() {
        return PROXY_TLS;
    }

    @Override
    public int denyTlsPort() {
        return DENY_TLS;
    }

    @Override
    public Session implicitTlsSession(int port) throws Exception {
        return MailClients.imaps("localhost", port, JAMES.clientSslContext());
    }

    @Override
    public String implicitTlsStore() {
        return "imaps";
    }

    @Override
    public Session startTlsSession(int port) throws Exception {
        return MailClients.imapStartTls("localhost", port, JAMES.clientSslContext());
    }

    @Override
    public String startTlsStore() {
        return "imap";
    }

    @Override
    public String bodyOf(String subject) {
        return body(subject);
    }

    @Override
    public String curlUrl(int port) {
        return "imaps://localhost:" + port + "/INBOX;MAILINDEX=1";
    }

    @Override
    public List<String> curlShows() {
        return List.of("Subject: hello");
    }

    @Override
    public String opensslStartTls() {
        return "imap";
    }

    @Override
    public List<String> opensslCommands() {
        return List.of("c1 CAPABILITY", "c2 LOGIN " + ProxiedJames.ALICE + " " + ProxiedJames.PASSWORD,
            "c3 SELECT INBOX", "c4 FETCH 1 (BODY.PEEK[])", "c5 LOGOUT");
    }

    /** The tagged response. */
    @Override
    public boolean endsTheAnswer(String command, String line) {
        return line.startsWith(command.substring(0, 2) + " ");
    }

    @Override
    public void assertOpensslTranscript(String output) {
        List<String> lines = Arrays.asList(output.split("\r?\n"));
        String capability = lines.stream().filter(line -> line.startsWith("* CAPABILITY")).findFirst().orElse("");
        assertThat(capability.toUpperCase(java.util.Locale.US)).contains("IMAP4REV1", "AUTH=PLAIN").doesNotContain("STARTTLS", "LOGINDISABLED", "COMPRESS");
        assertThat(output).contains("c2 OK", "c4 OK", "Subject: hello").doesNotContain("X-Secret");
        assertThat(Collections.frequency(lines, "c5 OK LOGOUT completed.")).isLessThanOrEqualTo(1);
    }

    @Override
    public Path tempDir() {
        return tempDir;
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
}
