package org.jamesproxy.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import javax.net.ssl.SSLContext;

import org.apache.commons.net.pop3.POP3SClient;

/** commons-net's POP3 client logged in on an implicit TLS port (the host name checked), logged out after use. */
public final class Pop3Logins {
    /** What a test does with the logged-in client. */
    public interface Use<T> {
        T use(POP3SClient client) throws Exception;
    }

    private Pop3Logins() {
    }

    public static <T> T implicitTls(int port, SSLContext trust, String user, String password, Use<T> use) throws Exception {
        POP3SClient client = new POP3SClient(true, trust);
        client.setEndpointCheckingEnabled(true);
        client.connect("localhost", port);
        try {
            assertThat(client.login(user, password)).isTrue();
            T result = use.use(client);
            assertThat(client.logout()).isTrue();
            return result;
        } finally {
            client.disconnect();
        }
    }
}
