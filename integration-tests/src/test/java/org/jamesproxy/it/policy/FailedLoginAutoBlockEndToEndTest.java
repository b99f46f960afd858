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
    private static final int LOCKOUT_PLAIN = FreePorts.next();
    private static final int LOCKOUT_TLS = FreePorts.next();
    private static final String BOB = "bob@" + ProxiedJames.DOMAIN;

    @RegisterExtension
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir ->
        JAMES.home(tmpDir.toPath())
            .proxy(JAMES.proxyToJames("guarded", PROXY_PLAIN, PROXY_TLS)
                .extraXml("<autoBlock duration=\"10m\"><failedLogins perSource=\"3\" within=\"10m\"/></autoBlock>")
                .build())
            .proxy(JAMES.proxyToJames("lockout", LOCKOUT_PLAIN, LOCKOUT_TLS)
                .extraXml("<autoBlock duration=\"10m\"><failedLogins perSource=\"100\" perUser=\"3\" within=\"10m\"/></autoBlock>")
                .build())
            .write()
            .memoryConfiguration())
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD)
            .addUser(BOB, ProxiedJames.PASSWORD);
    }

    private static Session from(String source) throws Exception {
        return from(source, PROXY_TLS);
    }

    private static Session from(String source, int port) throws Exception {
        Session session = MailClients.imaps("localhost", port, JAMES.clientSslContext());
        session.getProperties().put("mail.imaps.localaddress", source);
        return session;
    }

    private static void login(String source, String password) throws Exception {
        login(source, PROXY_TLS, ProxiedJames.ALICE, password);
    }

    private static void login(String source, int port, String user, String password) throws Exception {
        try (Store store = from(source, port).getStore("imaps")) {
            store.connect(user, password);
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

    @Test
    void failedLoginsFromSeveralSourcesShouldLockTheUserOutWithoutBlockingTheSources() throws Exception {
        for (String source : new String[] {"127.0.0.4", "127.0.0.5", "127.0.0.6"}) {
            assertThatThrownBy(() -> login(source, LOCKOUT_TLS, BOB, "wrong")).isInstanceOf(AuthenticationFailedException.class);
        }

        assertThatThrownBy(() -> login("127.0.0.7", LOCKOUT_TLS, BOB, ProxiedJames.PASSWORD))
            .as("locked out: the right password is refused too").isInstanceOf(AuthenticationFailedException.class);
        login("127.0.0.4", LOCKOUT_TLS, ProxiedJames.ALICE, ProxiedJames.PASSWORD);
    }
}
