package org.jamesproxy.it.engines;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Base64;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Multipart;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.MimeMessage;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.jamesproxy.demo.ProxyAction;
import org.jamesproxy.engine.testing.ClamdDaemon;
import org.jamesproxy.engine.testing.SpamdDaemon;
import org.jamesproxy.engine.testing.TestMessages;
import org.jamesproxy.engine.testing.TestSignatures;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine mailets in IMAP proxy actions, against a real clamd and a real spamd: javax.mail fetches, through the
 * proxy, messages stored in James directly (so the mailbox really holds them): one whose attachment is the EICAR
 * file, one carrying GTUBE.
 */
@EndToEndTest
class ImapEnginesEndToEndTest {
    @RegisterExtension
    @Order(1)
    static ClamdDaemon clamd = ClamdDaemon.withDefaults();

    @RegisterExtension
    @Order(2)
    static SpamdDaemon spamd = new SpamdDaemon();

    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int SPAM_PLAIN = FreePorts.next();
    private static final int SPAM_TLS = FreePorts.next();
    private static final int DENY_PLAIN = FreePorts.next();
    private static final int DENY_TLS = FreePorts.next();
    private static final int STRIP_PLAIN = FreePorts.next();
    private static final int STRIP_TLS = FreePorts.next();

    private static String antivirus(String onVirus) {
        return "<mailet match=\"All\" class=\"org.jamesproxy.mailet.AntivirusScan\">"
            + "<host>" + clamd.host() + "</host><port>" + clamd.port() + "</port><timeout>20s</timeout>"
            + "<maxScanSize>10M</maxScanSize><onVirus>" + onVirus + "</onVirus></mailet>";
    }

    /** spamAction=deny is for SMTP; on IMAP the same mailet can only tag (imapSpamAction defaults to tag then). */
    private static String spamCheck() {
        return "<mailet match=\"All\" class=\"org.jamesproxy.mailet.SpamCheck\">"
            + "<host>" + spamd.host() + "</host><port>" + spamd.port() + "</port><timeout>60s</timeout>"
            + "<spamAction>deny</spamAction><subjectTag>[SPAM]</subjectTag></mailet>";
    }

    @RegisterExtension
    @Order(3)
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir ->
        JAMES.home(tmpDir.toPath())
            .proxy(JAMES.proxyToJames("avdeny", DENY_PLAIN, DENY_TLS)
                .proxyAction(ProxyAction.of("AntivirusDeny", antivirus("deny")))
                .build())
            .proxy(JAMES.proxyToJames("avstrip", STRIP_PLAIN, STRIP_TLS)
                .proxyAction(ProxyAction.of("AntivirusStrip", antivirus("strip")))
                .build())
            .proxy(JAMES.proxyToJames("spamtag", SPAM_PLAIN, SPAM_TLS)
                .proxyAction(ProxyAction.of("SpamTag", spamCheck()))
                .build())
            .write()
            .memoryConfiguration())
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    private static final String EICAR_BASE64 = Base64.getEncoder().encodeToString(TestSignatures.eicar());

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.appendMessages(new Message[] {
                new MimeMessage(direct, new ByteArrayInputStream(TestMessages.ham("clean note"))),
                new MimeMessage(direct, new ByteArrayInputStream(TestMessages.withEicarAttachment("invoice attached"))),
                new MimeMessage(direct, new ByteArrayInputStream(TestMessages.gtube("cheap pills")))});
            inbox.close(false);
        }
    }

    private static String raw(Message message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(UTF_8);
    }

    @Test
    void mailboxShouldReallyHoldTheVirus() throws Exception {
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            assertThat(raw(inbox.getMessage(2))).contains(EICAR_BASE64.substring(0, 40));
        }
    }

    @Test
    void denyActionShouldHandTheImapClientTheDenyNoticeInsteadOfTheVirus() throws Exception {
        Session session = MailClients.imaps("localhost", DENY_TLS, JAMES.clientSslContext());
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            String infected = raw(inbox.getMessage(2));
            String clean = raw(inbox.getMessage(1));

            assertThat(infected).contains("Subject: [Denied] invoice attached", "X-JamesProxy-Denied: virus JamesProxy-Test-Eicar",
                "eicar.com").doesNotContain(EICAR_BASE64.substring(0, 40), TestSignatures.EICAR_TEXT);
            assertThat(clean).contains("Subject: clean note", "X-Virus-Scanned: clamd", "X-Virus-Status: Clean",
                "the meeting moved to Thursday");
        }
    }

    @Test
    void stripActionShouldHandTheImapClientTheMessageWithoutTheVirusAndTheSamePartCount() throws Exception {
        Session session = MailClients.imaps("localhost", STRIP_TLS, JAMES.clientSslContext());
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            Message message = inbox.getMessage(2);
            String raw = raw(message);
            Multipart parts = (Multipart) message.getContent();

            assertThat(message.getSubject()).isEqualTo("invoice attached");
            assertThat(raw).doesNotContain(EICAR_BASE64.substring(0, 40), TestSignatures.EICAR_TEXT);
            assertThat(parts.getCount()).isEqualTo(2);
            assertThat(parts.getBodyPart(0).getContent().toString()).contains("Please find the file attached.");
            assertThat(raw).contains("X-Virus-Status: Infected (JamesProxy-Test-Eicar");
        }
    }

    @Test
    void spamShouldReachTheImapClientTaggedAndHamUntouched() throws Exception {
        Session session = MailClients.imaps("localhost", SPAM_TLS, JAMES.clientSslContext());
        try (Store store = session.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            String spam = raw(inbox.getMessage(3));
            String ham = raw(inbox.getMessage(1));

            assertThat(spam).contains("Subject: [SPAM] cheap pills", "X-Spam-Flag: YES", TestSignatures.GTUBE)
                .doesNotContain("X-JamesProxy-Denied");
            assertThat(ham).contains("Subject: clean note", "X-Spam-Status: No, score=").doesNotContain("X-Spam-Flag");
        }
    }
}
