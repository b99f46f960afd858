package org.jamesproxy.it.actions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.it.actions.Messages.attachment;
import static org.jamesproxy.it.actions.Messages.exe;
import static org.jamesproxy.it.actions.Messages.pdf;
import static org.jamesproxy.it.actions.Messages.textPart;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

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

/**
 * A policy names a predefined action without defining it (the file's {@code <proxyActions>} is empty): James boots with
 * the drop-in route, its own mailet loaders load every predefined action, and a POP3 client retrieving through
 * {@code POP3-Server.Standard} gets a renamed executable stripped (part count kept) and a clean message unchanged.
 */
@EndToEndTest
class PredefinedActionPop3EndToEndTest {
    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int PROXY_PLAIN = FreePorts.next();
    private static final int PROXY_TLS = FreePorts.next();

    @RegisterExtension
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir -> {
        JamesHome home = JAMES.pop3Home(tmpDir.toPath()).write();
        JAMES.writePop3ProxyXml(home, "",
            JAMES.pop3ProxyToJames(home, "inbound", PROXY_PLAIN, PROXY_TLS,
                "<proxyAction>POP3-Server.Standard</proxyAction><offerApop>false</offerApop>"));
        return home.memoryConfiguration();
    })
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    private static final byte[] RENAMED_EXE = Messages.multipartMessage("b", textPart("see attached"),
        attachment(exe(), "Content-Type: application/pdf; name=report.pdf", "Content-Disposition: attachment; filename=report.pdf"));
    private static final byte[] CLEAN = Messages.multipartMessage("c", textPart("the report"),
        attachment(pdf(), "Content-Type: application/pdf; name=report.pdf", "Content-Disposition: attachment; filename=report.pdf"));

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.appendMessages(new Message[] {new MimeMessage(direct, new ByteArrayInputStream(RENAMED_EXE)),
                new MimeMessage(direct, new ByteArrayInputStream(CLEAN))});
            inbox.close(false);
        }
    }

    private static byte[] raw(Message message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    @Test
    void renamedExecutableShouldBeStrippedAndACleanMessageLeftAlone() throws Exception {
        Session session = MailClients.pop3s("localhost", PROXY_TLS, JAMES.clientSslContext());
        try (Store store = session.getStore("pop3s")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);

            MimeMessage stripped = new MimeMessage(session, new ByteArrayInputStream(raw(inbox.getMessage(1))));
            byte[] clean = raw(inbox.getMessage(2));

            MimeMultipart parts = (MimeMultipart) stripped.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            assertThat(parts.getBodyPart(0).getContent().toString()).contains("see attached");
            assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/plain");
            assertThat(parts.getBodyPart(1).getContent().toString()).contains("application/x-msdownload");
            assertThat(new String(clean, StandardCharsets.US_ASCII))
                .contains("Content-Type: application/pdf; name=report.pdf", Messages.base64(pdf()).substring(0, 40));
            assertThat(clean).isEqualTo(retrievedDirectly(2));
            inbox.close(false);
        }
    }

    /** The message as James's own POP3S serves it, without the proxy. */
    private static byte[] retrievedDirectly(int number) throws Exception {
        Session session = MailClients.pop3s("localhost", JAMES.jamesPop3s, JAMES.clientSslContext());
        try (Store store = session.getStore("pop3s")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            byte[] raw = raw(inbox.getMessage(number));
            inbox.close(false);
            return raw;
        }
    }
}
