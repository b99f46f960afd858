package org.jamesproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * The line bounds of a policy's {@code <limits>} that every protocol shares: a client line longer than
 * {@code maxLineLength}, whether its line end came or not, gets the protocol's error and the connection closes,
 * nothing of it reaching the upstream; an upstream line longer than {@code maxUpstreamLineLength} in the middle of
 * the session ends it with the protocol's farewell, nothing of the line reaching the client.
 */
public interface BoundsContract<U extends FakeUpstream, C extends TestClient> extends ProxyContract<U, C> {
    /** The bound of the scenarios, for the client's lines and for the upstream's. */
    String LIMIT = "1K";

    /** The fake upstream of the running test, plain. */
    U upstream();

    /** A client ready for commands (IMAP: logged in) under a policy whose {@code <limits>} hold {@code limits}. */
    default C readyClient(String limits) throws Exception {
        fixture().start(policy("<limits>" + limits + "</limits>"), upstream());
        return readyTlsClient();
    }

    /** A command line carrying {@code filler}, without its line end, of a verb the upstream gets from no one else. */
    String commandCarrying(String filler);

    /** How the answer to an overlong client line starts: {@code * BYE}, {@code -ERR}, {@code 500 5.5.0 Line too long}. */
    String lineTooLong();

    /** The fake, set to answer {@link #commandAnsweredWithALongLine()} with a line carrying {@code filler}. */
    U answeringWithALongLine(U upstream, String filler);

    /** The command (tag {@code a}) of a ready client that the upstream answers with the long line. */
    String commandAnsweredWithALongLine();

    /** What the policy of the upstream scenario holds besides its limits. */
    default String longUpstreamLinePolicy() {
        return "";
    }

    /** How the farewell after an overlong upstream line starts. */
    String upstreamLineTooLong();

    @Test
    default void overlongClientLineWithoutItsEndShouldGetTheErrorAndClose() throws Exception {
        C client = readyClient("<maxLineLength>" + LIMIT + "</maxLineLength>");
        String command = commandCarrying("x".repeat(4000));

        client.send(command);

        assertThat(client.readUntilClosed()).startsWith(lineTooLong());
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream().openConnections() == 0);
        assertThat(upstream().receivedCommand(verb(command))).isFalse();
    }

    @Test
    default void overlongClientLineWithItsEndShouldGetTheErrorAndClose() throws Exception {
        C client = readyClient("<maxLineLength>" + LIMIT + "</maxLineLength>");
        String command = commandCarrying("x".repeat(2000));

        client.sendLine(command);

        assertThat(client.readUntilClosed()).startsWith(lineTooLong());
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream().openConnections() == 0);
        assertThat(upstream().receivedCommand(verb(command))).isFalse();
    }

    @Test
    default void overlongUpstreamLineShouldEndTheSessionWithTheFarewell() throws Exception {
        U upstream = answeringWithALongLine(upstream(), "y".repeat(3000));
        fixture().start(policy(longUpstreamLinePolicy() + "<limits><maxUpstreamLineLength>" + LIMIT
            + "</maxUpstreamLineLength></limits>"), upstream);
        C client = readyTlsClient();

        client.sendLine(command("a", commandAnsweredWithALongLine()));

        String received = client.readUntilClosed();
        assertThat(received).startsWith(upstreamLineTooLong());
        assertThat(received).doesNotContain("yyyy");
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
    }
}
