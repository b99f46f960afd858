package org.jamesproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * The {@code <timeouts>} deadlines that a trickle of bytes does not restart (the idle timeout does): a slowloris
 * client sending a byte every few hundred milliseconds, with deadlines of one second, is cut at the deadline with the
 * protocol's farewell, while the idle timeout (30 s here) would have let it stay; clients that are merely slow within
 * the deadlines are served.
 */
public interface DeadlinesContract<U extends FakeUpstream, C extends TestClient> extends ProxyContract<U, C> {
    /** Far beyond every wait of these tests: only the deadlines can close the connections. */
    String LONG_IDLE = "<idleTimeout>30s</idleTimeout>";
    long TRICKLE_MILLIS = 300;

    /** The fake upstream of the running test, plain. */
    U upstream();

    /** How the protocol's last words start: {@code * BYE}, {@code -ERR}, {@code 421}. */
    String farewell();

    /** The verb of STARTTLS on the client leg. */
    String startTlsVerb();

    /** Ends the login phase: logs in (IMAP, POP3) or starts a mail transaction (SMTP). */
    void logIn(C client) throws Exception;

    private static String deadlines(String timeouts) {
        return LONG_IDLE + "<timeouts>" + timeouts + "</timeouts>";
    }

    @Test
    default void aCommandLineTrickledByteByByteShouldBeCutAtTheCommandLineDeadline() throws Exception {
        fixture().start(policy(deadlines("<commandLine>1s</commandLine>")), upstream());
        C client = readyTlsClient();
        String line = command("a", "NOOP");
        long start = System.nanoTime();

        for (int i = 0; i < 3; i++) {
            client.send(line.substring(i, i + 1));
            Thread.sleep(TRICKLE_MILLIS);
        }
        String rest = client.readUntilClosed();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(rest).contains(farewell());
        assertThat(upstream().receivedCommand(verb(line))).isFalse();
    }

    @Test
    default void aSlowLineWithinTheDeadlineShouldBeServedAndEachLineHasItsOwnDeadline() throws Exception {
        fixture().start(policy(deadlines("<commandLine>1s</commandLine>")), upstream());
        C client = readyTlsClient();
        String line = command("a", "NOOP");

        for (int round = 0; round < 3; round++) {
            client.send(line.substring(0, 2));
            Thread.sleep(TRICKLE_MILLIS * 2);
            client.send(line.substring(2) + "\r\n");
            assertThat(answer(client)).startsWith(ok("a"));
        }
    }

    @Test
    default void aClientThatDoesNotLogInShouldBeCutAtTheLoginDeadlineWhateverItSends() throws Exception {
        fixture().start(policy(deadlines("<login>1s</login>")), upstream());
        C client = readyTlsClient();
        long start = System.nanoTime();

        for (int i = 0; i < 3; i++) {
            assertThat(ask(client, "n" + i, "NOOP")).startsWith(ok("n" + i));
            Thread.sleep(TRICKLE_MILLIS);
        }
        String rest = client.readUntilClosed();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(rest).contains(farewell());
    }

    @Test
    default void aLoggedInClientShouldOutliveTheLoginDeadline() throws Exception {
        fixture().start(policy(deadlines("<login>1s</login>")), upstream());
        C client = readyTlsClient();
        logIn(client);

        Thread.sleep(1500);

        assertThat(ask(client, "n", "NOOP")).startsWith(ok("n"));
    }

    @Test
    default void anImplicitTlsHandshakeTrickledByteByByteShouldBeCutAtTheHandshakeDeadline() throws Exception {
        fixture().start(policy(deadlines("<tlsHandshake>1s</tlsHandshake>")), upstream());
        byte[] helloStart = {0x16, 0x03, 0x01, 0x00, (byte) 0xc8, 0x01, 0x00};
        long start = System.nanoTime();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), fixture().tlsPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            for (byte b : helloStart) {
                out.write(b);
                out.flush();
                Thread.sleep(TRICKLE_MILLIS / 2);
            }

            assertThat(readsEndOfStream(socket.getInputStream())).isTrue();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    default void aStartTlsHandshakeThatNeverComesShouldBeCutAtTheHandshakeDeadline() throws Exception {
        fixture().start(policy(deadlines("<tlsHandshake>1s</tlsHandshake>")), upstream());
        C client = readyPlainClient();
        assertThat(ask(client, "a", startTlsVerb())).isNotNull();
        long start = System.nanoTime();

        client.socket().setSoTimeout(5_000);
        assertThat(readsEndOfStream(client.socket().getInputStream())).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    /** True when the peer closes (end of stream or reset) before the socket's read timeout. */
    private static boolean readsEndOfStream(InputStream in) throws Exception {
        try {
            while (in.read() >= 0) {
                // a TLS alert, maybe: read on to the end
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
