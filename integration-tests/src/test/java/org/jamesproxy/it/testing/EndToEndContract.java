package org.jamesproxy.it.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.james.GuiceJamesServer;
import org.apache.james.utils.DataProbeImpl;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.Test;

/**
 * A retrieval proxy end to end (James's contract style: {@code @Test} default methods, the protocol's test class
 * supplies the hooks): real clients (javax.mail, curl, openssl s_client) speak the protocol to the proxy hosted by
 * James through the drop-in route, the proxy relays over verified TLS to the same James, and every message read
 * runs through a proxy action made of James mailets. The implementing class registers James with two policies:
 * {@code inbound} (action StripInternal: strips {@code ^X-Secret}) and {@code deny} (action DenyVirus: deny on
 * {@code X-Virus}), and provisions alice's INBOX with {@link #provision}.
 */
public interface EndToEndContract {
    ProxiedJames james();

    /** The plain and implicit TLS ports of the {@code inbound} policy, the implicit TLS port of {@code deny}. */
    int proxyPlainPort();

    int proxyTlsPort();

    int denyTlsPort();

    /** javax.mail on an implicit TLS port: the session and its store protocol (imaps, pop3s). */
    Session implicitTlsSession(int port) throws Exception;

    String implicitTlsStore();

    /** javax.mail with STARTTLS required on a plain port: the session and its store protocol (imap, pop3). */
    Session startTlsSession(int port) throws Exception;

    String startTlsStore();

    /** The text of a provisioned message. */
    String bodyOf(String subject);

    /** What the implicit TLS client must also find of the INBOX as provisioned. */
    default void assertProvisionedInbox(Folder inbox) throws Exception {
    }

    /** curl's URL of alice's first message on the implicit TLS port, and what its output shows of it. */
    String curlUrl(int port);

    List<String> curlShows();

    /** {@code openssl s_client -starttls <this>}. */
    String opensslStartTls();

    /** The commands sent one at a time, each answer read to its end. */
    List<String> opensslCommands();

    boolean endsTheAnswer(String command, String line);

    /** The protocol's checks of the transcript: honest capabilities, the message read through the action. */
    void assertOpensslTranscript(String output) throws Exception;

    /** The temporary folder of the class, for the CA file the command-line clients read. */
    Path tempDir();

    /** Adds alice and appends {@code hello} (with {@code X-Secret}) and {@code infected} (with {@code X-Virus}). */
    static void provision(GuiceJamesServer server, ProxiedJames james, UnaryOperator<String> bodyOf) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
        Session direct = MailClients.imaps("localhost", james.jamesImaps, james.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.appendMessages(new Message[] {message(direct, "hello", "X-Secret", "internal-42", bodyOf.apply("hello")),
                message(direct, "infected", "X-Virus", "EICAR", bodyOf.apply("infected"))});
            inbox.close(false);
        }
    }

    static MimeMessage message(Session session, String subject, String header, String value, String text) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("bob@demo.local"));
        message.setRecipients(Message.RecipientType.TO, ProxiedJames.ALICE);
        message.setSubject(subject);
        message.setHeader(header, value);
        message.setHeader("X-Kept", "yes");
        message.setText(text);
        message.saveChanges();
        return message;
    }

    static String raw(Message message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(UTF_8);
    }

    @Test
    default void implicitTlsClientShouldReadMessagesWithHeadersStrippedByTheProxyAction() throws Exception {
        Session session = implicitTlsSession(proxyTlsPort());
        try (Store store = session.getStore(implicitTlsStore())) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            String hello = raw(inbox.getMessage(1));

            assertProvisionedInbox(inbox);
            assertThat(hello).contains("Subject: hello", "X-Kept: yes", bodyOf("hello").strip());
            assertThat(hello).doesNotContain("X-Secret", "internal-42");
            inbox.close(false);
        }
    }

    @Test
    default void startTlsClientShouldLogInAndReadThroughThePlainPort() throws Exception {
        Session session = startTlsSession(proxyPlainPort());
        try (Store store = session.getStore(startTlsStore())) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            // The headers are read first (IMAP: BODY.PEEK[HEADER], POP3: TOP n 0): they run through the action too.
            assertThat(inbox.getMessage(1).getSubject()).isEqualTo("hello");
            assertThat(inbox.getMessage(1).getHeader("X-Secret")).isNull();
            assertThat(inbox.getMessage(1).getHeader("X-Kept")).containsExactly("yes");
            assertThat(raw(inbox.getMessage(1))).doesNotContain("X-Secret").contains("Body of hello");
            inbox.close(false);
        }
    }

    @Test
    default void denyVerdictShouldReplaceTheMessageWithTheDenyNotice() throws Exception {
        Session session = implicitTlsSession(denyTlsPort());
        try (Store store = session.getStore(implicitTlsStore())) {
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
    default void curlShouldFetchAMessageOverImplicitTls() throws Exception {
        File caPem = james().writeCaPem(tempDir()).toFile();
        Process curl = new ProcessBuilder("curl", "--silent", "--show-error", "--max-time", "30",
            "--cacert", caPem.getAbsolutePath(),
            "--user", ProxiedJames.ALICE + ":" + ProxiedJames.PASSWORD,
            curlUrl(proxyTlsPort()))
            .redirectErrorStream(true)
            .start();
        String output = new String(curl.getInputStream().readAllBytes(), UTF_8);

        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(output).isZero();
        assertThat(output).contains(curlShows()).doesNotContain("X-Secret");
    }

    @Test
    default void opensslStartTlsShouldWorkAndTheCapabilitiesShouldBeHonest() throws Exception {
        File caPem = james().writeCaPem(tempDir()).toFile();
        Process openssl = new ProcessBuilder("openssl", "s_client", "-quiet", "-starttls", opensslStartTls(),
            "-connect", "127.0.0.1:" + proxyPlainPort(), "-servername", "localhost",
            "-CAfile", caPem.getAbsolutePath(), "-verify_return_error", "-verify_hostname", "localhost")
            .redirectErrorStream(true)
            .start();
        // One command at a time, as RFC 3501 5.5 asks of clients when a command depends on the previous one.
        BufferedReader reader = new BufferedReader(new InputStreamReader(openssl.getInputStream(), UTF_8));
        StringBuilder transcript = new StringBuilder();
        for (String command : opensslCommands()) {
            openssl.getOutputStream().write((command + "\r\n").getBytes(UTF_8));
            openssl.getOutputStream().flush();
            String line;
            while ((line = reader.readLine()) != null) {
                transcript.append(line).append('\n');
                if (endsTheAnswer(command, line)) {
                    break;
                }
            }
        }

        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertOpensslTranscript(transcript.toString());
    }
}
