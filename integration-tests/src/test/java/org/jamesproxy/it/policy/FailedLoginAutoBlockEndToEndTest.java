package org.jamesproxy.it.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.AuthenticationFailedException;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Auto-block fed by failed logins, against a real James upstream and javax.mail with its defaults: after three
 * wrong passwords from 127.0.0.2 that address is refused at connect, even with the right password, while
 * 127.0.0.3 still logs in; a user locked out after failed logins from several addresses.
 */
@EndToEndTest
class FailedLoginAutoBlockEndToEndTest {
    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int PROXY_PLAIN = FreePorts.next();
    private static final int PROXY_TLS = FreePorts.next();

    @RegisterExtension
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir ->
        JAMES.home(tmpDir.toPath())
            .proxy(JAMES.proxyToJames("guarded", PROXY_PLAIN, PROXY_TLS)
                .extraXml("<autoBlock duration=\"10m\"><failedLogins perSource=\"3\" within=\"10m\"/></autoBlock>")
                .build())
            .write()
            .memoryConfiguration())
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
    }

    private static Session from(String source) throws Exception {
        Session session = MailClients.imaps("localhost", PROXY_TLS, JAMES.clientSslContext());
        session.getProperties().put("mail.imaps.localaddress", source);
        return session;
    }

    private static void login(String source, String password) throws Exception {
        try (Store store = from(source).getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, password);
            assertThat(store.getFolder("INBOX").exists()).isTrue();
        }
    }

    @Test
    void threeWrongPasswordsShouldBlockTheSourceButNotOthers() throws Exception {
        login("127.0.0.2", ProxiedJames.PASSWORD);
        for (int attempt = 0; attempt < 3; attempt++) {
            assertThatThrownBy(() -> login("127.0.0.2", "wrong")).isInstanceOf(AuthenticationFailedException.class);
        }

        assertThatThrownBy(() -> login("127.0.0.2", ProxiedJames.PASSWORD)).isInstanceOf(MessagingException.class)
            .isNotInstanceOf(AuthenticationFailedException.class);
        login("127.0.0.3", ProxiedJames.PASSWORD);
    }
}
