package org.jamesproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * No upstream work for a client that did nothing: bare TCP connects to the implicit-TLS port open no upstream
 * connection (the upstream leg waits for the client's completed handshake), nor do clients on the plain port that
 * read the proxy's own greeting and send nothing (the upstream leg waits for the first command). The counts are the
 * fake upstream's accepted connections.
 */
public interface LazyUpstreamContract<U extends FakeUpstream, C extends TestClient> extends ProxyContract<U, C> {
    int BARE_CONNECTS = 40;

    /** The fake upstream of the running test, plain. */
    U upstream();

    /** How the proxy's own greeting on the plain port starts. */
    String greeting();

    @Test
    default void bareConnectsToTheImplicitTlsPortShouldOpenNoUpstreamConnection() throws Exception {
        fixture().start(policy(""), upstream());
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < BARE_CONNECTS; i++) {
                sockets.add(new Socket(InetAddress.getLoopbackAddress(), fixture().tlsPort()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> count("connections") == BARE_CONNECTS);

            assertNoUpstreamConnectionFor(Duration.ofMillis(500));
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        // A client that completes its handshake is served as before.
        C client = readyTlsClient();
        assertThat(ask(client, "a", "NOOP")).startsWith(ok("a"));
        assertThat(upstream().acceptedConnections()).isEqualTo(1);
    }

    @Test
    default void greetedPlainClientsThatSendNothingShouldOpenNoUpstreamConnection() throws Exception {
        fixture().start(policy(""), upstream());
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < BARE_CONNECTS; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), fixture().plainPort());
                socket.setSoTimeout(10_000);
                sockets.add(socket);
                assertThat(readLine(socket.getInputStream())).startsWith(greeting());
            }

            assertNoUpstreamConnectionFor(Duration.ofMillis(500));
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    default void thePlainPortsFirstCommandShouldOpenTheUpstreamAndBeAnswered() throws Exception {
        fixture().start(policy(""), upstream());
        C client = readyPlainClient();

        assertThat(ask(client, "a", "NOOP")).startsWith(ok("a"));
        assertThat(ask(client, "b", "NOOP")).startsWith(ok("b"));
        assertThat(upstream().acceptedConnections()).isEqualTo(1);
    }

    private static String readLine(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().trim();
    }

    /** The upstream stays unconnected the whole time (a lazy connect would show up within it). */
    private void assertNoUpstreamConnectionFor(Duration quiet) {
        await().during(quiet).atMost(quiet.plusSeconds(5)).until(() -> upstream().acceptedConnections() == 0);
        assertThat(upstream().acceptedConnections()).isZero();
    }
}
