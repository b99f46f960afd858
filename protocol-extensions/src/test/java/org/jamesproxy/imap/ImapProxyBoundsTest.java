package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.jamesproxy.testing.BoundsContract;
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapDialect;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The limits of {@code <limits>}: a client cannot make the proxy buffer or queue without bound. The line bounds every
 * protocol shares are in {@link BoundsContract}; here IMAP's literals and pipeline.
 */
class ImapProxyBoundsTest implements BoundsContract<FakeImapUpstream, ImapTestClient>, ImapDialect {
    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Override
    public ImapProxyFixture fixture() {
        return fixture;
    }

    @Override
    public FakeImapUpstream upstream() {
        return upstream;
    }

    /** Logged in. */
    @Override
    public ImapTestClient readyClient(String limits) throws Exception {
        return loggedIn(limits);
    }

    @Override
    public String commandCarrying(String filler) {
        return "a SEARCH TEXT " + filler;
    }

    @Override
    public String lineTooLong() {
        return "* BYE [TOOBIG] Command line too long";
    }

    /** The capabilities of the LOGIN answer. */
    @Override
    public FakeImapUpstream answeringWithALongLine(FakeImapUpstream upstream, String filler) {
        return upstream.loginCapabilityCode("[CAPABILITY IMAP4rev1 " + filler + "]");
    }

    @Override
    public String commandAnsweredWithALongLine() {
        return "LOGIN user secret";
    }

    @Override
    public String upstreamLineTooLong() {
        return "* BYE [UNAVAILABLE] The mail server sent a response the proxy cannot relay";
    }

    private ImapTestClient loggedIn(String limits) throws Exception {
        fixture.start(policy("<limits>" + limits + "</limits>"), upstream);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();
        assertThat(client.sendLine("l LOGIN user secret").readLine()).startsWith("l OK");
        return client;
    }

    /** However many digits the size has: 23 once slipped past the bound to the upstream. */
    @ParameterizedTest
    @ValueSource(strings = {"5000", "99999999999", "99999999999999999999999"})
    void synchronizingLiteralAboveTheLimitShouldBeRefusedWithTooBig(String size) throws Exception {
        ImapTestClient client = loggedIn("<maxLiteralSize>1K</maxLiteralSize>");

        String answer = client.sendLine("a APPEND INBOX {" + size + "}").readLine();
        String next = client.sendLine("b NOOP").readLine();

        assertThat(answer).startsWith("a NO [TOOBIG]");
        assertThat(next).startsWith("b OK");
        assertThat(upstream.receivedCommand("APPEND")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"5000", "99999999999999999999999"})
    void nonSynchronizingLiteralAboveTheLimitShouldCloseTheConnection(String size) throws Exception {
        ImapTestClient client = loggedIn("<maxLiteralSize>1K</maxLiteralSize>");

        client.send("a APPEND INBOX {" + size + "+}\r\n" + "x".repeat(100));

        assertThat(client.readUntilClosed()).startsWith("* BYE [TOOBIG]");
        assertThat(upstream.receivedCommand("APPEND")).isFalse();
    }

    @Test
    void literalAtTheLimitShouldBeRelayed() throws Exception {
        ImapTestClient client = loggedIn("<maxLiteralSize>1K</maxLiteralSize>");

        String continuation = client.sendLine("a APPEND INBOX {1024}").readLine();
        List<String> responses = client.send("y".repeat(1024) + "\r\n").readUntilTagged("a");

        assertThat(continuation).startsWith("+");
        assertThat(responses).last().asString().startsWith("a OK");
    }

    @Test
    void commandsBeyondThePipelineLimitShouldBeRefusedWithLimit() throws Exception {
        upstream.hold("NOOP");
        ImapTestClient client = loggedIn("<maxPipelinedCommands>2</maxPipelinedCommands>");

        client.send("a NOOP\r\nb NOOP\r\nc NOOP\r\n");
        String refused = client.readLine();
        upstream.release("NOOP");
        List<String> rest = client.readUntilTagged("b");

        assertThat(refused).startsWith("c BAD [LIMIT]");
        assertThat(rest).containsExactly("a OK NOOP completed", "b OK NOOP completed");
        assertThat(upstream.receivedLines()).doesNotContain("c NOOP");
    }

    @Test
    void nonSynchronizingLiteralOfARefusedCommandShouldBeDiscardedNotInterpreted() throws Exception {
        upstream.hold("NOOP");
        ImapTestClient client = loggedIn("<maxPipelinedCommands>1</maxPipelinedCommands>");

        client.send("a NOOP\r\nb APPEND INBOX {17+}\r\nc LOGOUT\r\nd BYE\r\n\r\n");
        String refused = client.readLine();
        upstream.release("NOOP");
        String first = client.readLine();
        String next = client.sendLine("e NOOP").readLine();

        assertThat(refused).startsWith("b BAD [LIMIT]");
        assertThat(first).startsWith("a OK");
        assertThat(next).startsWith("e OK");
        assertThat(upstream.receivedCommand("LOGOUT")).isFalse();
        assertThat(upstream.receivedCommand("APPEND")).isFalse();
    }

    @Test
    void literalSizeWithLeadingZerosShouldBeReadAsItsValue() throws Exception {
        ImapTestClient client = loggedIn("<maxLiteralSize>1K</maxLiteralSize>");

        String continuation = client.sendLine("a APPEND INBOX {00000000000000000000005}").readLine();
        List<String> responses = client.send("hello\r\n").readUntilTagged("a");

        assertThat(continuation).startsWith("+");
        assertThat(responses).last().asString().startsWith("a OK");
    }
}
