package org.jamesproxy.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * Connections dropped at any point leave nothing behind: no upstream connection, no unreleased buffer (Netty's leak
 * detector at its paranoid level, {@link LeakReports}), no failure of the fake upstream. {@link #CONNECTIONS}
 * clients, every other one on the implicit TLS port, drop in turn before the greeting, after a partial command, in a
 * message transfer, after STARTTLS's go-ahead (TLS port: after the first command's answer), and in another
 * transfer.
 */
public interface LeakContract<U extends FakeUpstream, C extends TestClient> extends ProxyContract<U, C> {
    int CONNECTIONS = 200;

    /** The message the upstreams that serve messages hold as their message 1. */
    byte[] MESSAGE = ("Subject: m\r\n\r\n" + "z".repeat(5000) + "\r\n").getBytes(ISO_8859_1);

    /** The fake upstream of the running test, plain (holding {@link #MESSAGE} as message 1 where it serves messages). */
    U upstream();

    /** The policy: inspection on, so that messages go through the inspector's buffers. */
    default String leakPolicy() {
        return policy(ProxyFixture.withInspection());
    }

    /** The verb of STARTTLS on the client leg. */
    String startTlsVerb();

    /** A command (tag {@code a}) a client may send first, e.g. a login. */
    String firstCommand();

    /**
     * Leaves a greeted client in the middle of a message transfer, which the contract then drops. Two variants, each
     * run for a tenth of the connections on both ports: e.g. {@code 0} while the client sends a message, {@code 1}
     * while the message is inspected or relayed to the client.
     */
    void interruptTransfer(C client, int variant) throws Exception;

    @Test
    default void droppedConnectionsShouldCloseTheirUpstreamAndLeakNoBuffer() throws Exception {
        try (LeakReports leakReports = LeakReports.paranoid()) {
            fixture().start(leakPolicy(), upstream());

            for (int i = 0; i < CONNECTIONS; i++) {
                boolean tls = i % 2 != 0;
                try (C client = fixture().unregisteredClient(tls)) {
                    switch (i % 5) {
                        case 0:
                            // dropped before (or while) the upstream leg is set up
                            break;
                        case 1:
                            answer(client);
                            client.send(command("a", "NOOP") + "\r\n" + command("b", "NO"));
                            break;
                        case 2:
                            answer(client);
                            interruptTransfer(client, 0);
                            break;
                        case 3:
                            answer(client);
                            client.sendLine(command("a", tls ? firstCommand() : startTlsVerb()));
                            answer(client);
                            break;
                        default:
                            answer(client);
                            interruptTransfer(client, 1);
                            break;
                    }
                }
            }

            // The plain-port clients dropped before any command (i % 10 == 0) never cost an upstream connection; the
            // implicit-TLS ones dropped right after their handshake (i % 10 == 5) may or may not have.
            int silentPlainClients = CONNECTIONS / 10;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(upstream().acceptedConnections())
                    .isBetween(CONNECTIONS - 2 * silentPlainClients, CONNECTIONS - silentPlainClients);
                assertThat(upstream().openConnections()).isZero();
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(count("active-connections")).isZero());
            assertThat(leakReports.provoke()).isEmpty();
            assertThat(upstream().errors()).isEmpty();
        }
    }
}
