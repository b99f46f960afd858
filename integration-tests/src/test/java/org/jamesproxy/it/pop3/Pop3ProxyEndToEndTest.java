package org.jamesproxy.it.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Path;
import java.util.List;

import javax.mail.Folder;
import javax.mail.Session;

import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.pop3.POP3SClient;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.Pop3Logins;
import org.jamesproxy.it.support.ProxiedJames;
import org.jamesproxy.it.testing.EndToEndContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.google.common.io.CharStreams;

/**
 * The POP3 proxy end to end: real clients (javax.mail, commons-net, curl, openssl s_client) speak POP3 to the
 * proxy hosted by James through the drop-in route (extensions.properties + mailproxy.xml), the proxy relays over
 * verified TLS to the same James's POP3S, and every RETR runs through a proxy action made of James mailets. What
 * IMAP shares: {@link EndToEndContract}; here commons-net's clients.
 */
@EndToEndTest
class Pop3ProxyEndToEndTest implements EndToEndContract {
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
        EndToEndContract.provision(server, JAMES, Pop3ProxyEndToEndTest::body);
    }

    /** A line that is only a dot and one that starts with one: both must survive de-stuffing and re-stuffing. */
    private static String body(String subject) {
        return "Body of " + subject + "\r\n.\r\n.dotted line\r\nsecond line\r\n";
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
        return MailClients.pop3s("localhost", port, JAMES.clientSslContext());
    }

    @Override
    public String implicitTlsStore() {
        return "pop3s";
    }

    @Override
    public Session startTlsSession(int port) throws Exception {
        return MailClients.pop3StartTls("localhost", port, JAMES.clientSslContext());
    }

    @Override
    public String startTlsStore() {
        return "pop3";
    }

    @Override
    public String bodyOf(String subject) {
        return body(subject);
    }

    /** Nothing else writes to alice's INBOX here. */
    @Override
    public void assertProvisionedInbox(Folder inbox) throws Exception {
        assertThat(inbox.getMessageCount()).isEqualTo(2);
    }

    @Override
    public String curlUrl(int port) {
        return "pop3s://localhost:" + port + "/1";
    }

    @Override
    public List<String> curlShows() {
        return List.of("Subject: hello", ".dotted line");
    }

    @Override
    public String opensslStartTls() {
        return "pop3";
    }

    @Override
    public List<String> opensslCommands() {
        return List.of("CAPA", "USER " + ProxiedJames.ALICE, "PASS " + ProxiedJames.PASSWORD, "RETR 1", "QUIT");
    }

    /** A single line, or a multi-line answer up to ".". */
    @Override
    public boolean endsTheAnswer(String command, String line) {
        boolean multiLine = command.equals("CAPA") || command.startsWith("RETR");
        return line.startsWith("-ERR") || (line.startsWith("+OK") && !multiLine) || (multiLine && line.equals("."));
    }

    @Override
    public void assertOpensslTranscript(String output) {
        assertThat(output).contains("USER\n", "PIPELINING", "Subject: hello", "..dotted line")
            .doesNotContain("STLS", "X-Secret", "-ERR");
    }

    @Override
    public Path tempDir() {
        return tempDir;
    }

    /** commons-net logged in as alice on a proxy port; {@code test} makes its assertions. */
    private static void implicitTls(int port, Pop3Logins.Use<Void> test) throws Exception {
        Pop3Logins.implicitTls(port, JAMES.clientSslContext(), ProxiedJames.ALICE, ProxiedJames.PASSWORD, test);
    }

    private static String read(Reader reader) throws Exception {
        try (reader) {
            return CharStreams.toString(reader).replace("\r\n", "\n");
        }
    }

    @Test
    void commonsNetImplicitTlsClientShouldListAndRetrieve() throws Exception {
        implicitTls(PROXY_TLS, client -> {
            POP3MessageInfo[] listing = client.listMessages();
            String message = read(client.retrieveMessage(1));

            assertThat(listing).hasSize(2);
            assertThat(client.listUniqueIdentifiers()).hasSize(2);
            assertThat(message).contains("Subject: hello", "Body of hello").doesNotContain("X-Secret");
            return null;
        });
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
    void commonsNetTopOfSomeLinesShouldBeCutFromTheInspectedWholeMessage() throws Exception {
        implicitTls(DENY_TLS, client -> {
            String clean = read(client.retrieveMessageTop(1, 2));
            String infected = read(client.retrieveMessageTop(2, 2));

            // James answers the proxy's TOP of every line; the client gets its two lines of what the action left.
            assertThat(clean).contains("Subject: hello").endsWith("\nBody of hello\n.\n").doesNotContain("dotted line");
            assertThat(infected).contains("X-JamesProxy-Denied: virus found").doesNotContain("Body of infected");
            return null;
        });
    }
}
