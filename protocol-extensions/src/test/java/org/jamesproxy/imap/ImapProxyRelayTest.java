package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jamesproxy.testing.ImapProxyFixture.policy;

import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the relay passes through unchanged: authentication exchanges, literals both ways, pipelining, IDLE, LOGOUT. */
class ImapProxyRelayTest {
    private static final String PLAIN_RESPONSE = Base64.getEncoder().encodeToString("\0user\0secret".getBytes(ISO_8859_1));
    /** Literal data that looks like IMAP: must travel as bytes, never be read as commands or responses. */
    private static final String TRICKY = "x STARTTLS\r\ny LOGOUT\r\nz OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE]\r\n{5}\r\n";

    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;
    private ImapTestClient client;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private ImapTestClient loggedInClient() throws Exception {
        ImapTestClient client = greetedClient();
        assertThat(client.sendLine("l LOGIN user secret").readLine()).startsWith("l OK");
        return client;
    }

    private ImapTestClient greetedClient() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.tlsClient();
        assertThat(client.readLine()).startsWith("* OK");
        return client;
    }

    @Test
    void authenticatePlainShouldBeRelayedWithAContinuation() throws Exception {
        client = greetedClient();

        assertThat(client.sendLine("a AUTHENTICATE PLAIN").readLine()).isEqualTo("+ ");
        List<String> responses = client.sendLine(PLAIN_RESPONSE).readUntilTagged("a");
        String next = client.sendLine("b NOOP").readLine();

        assertThat(responses.get(responses.size() - 1)).startsWith("a OK");
        assertThat(next).startsWith("b OK");
        assertThat(upstream.receivedLines()).containsSubsequence("a AUTHENTICATE PLAIN", PLAIN_RESPONSE, "b NOOP");
        assertThat(fixture.metrics().countFor("imapproxy-logins")).isEqualTo(1);
    }

    @Test
    void authenticatePlainShouldBeRelayedWithAnInitialResponse() throws Exception {
        client = greetedClient();

        String answer = client.sendLine("a AUTHENTICATE PLAIN " + PLAIN_RESPONSE).readLine();
        String next = client.sendLine("b NOOP").readLine();

        assertThat(answer).startsWith("a OK");
        assertThat(next).startsWith("b OK");
        assertThat(upstream.receivedLines()).containsSubsequence("a AUTHENTICATE PLAIN " + PLAIN_RESPONSE, "b NOOP");
    }

    @Test
    void cancelledAuthenticateShouldLeaveTheSessionUsable() throws Exception {
        client = greetedClient();

        client.sendLine("a AUTHENTICATE PLAIN").readLine();
        String cancelled = client.sendLine("*").readLine();
        String next = client.sendLine("b NOOP").readLine();

        assertThat(cancelled).startsWith("a BAD");
        assertThat(next).startsWith("b OK");
    }

    @Test
    void appendWithASynchronizingLiteralShouldWaitForTheUpstreamsContinuation() throws Exception {
        client = loggedInClient();
        String message = "Subject: hi\r\n\r\n" + TRICKY;

        String continuation = client.sendLine("a APPEND INBOX {" + message.length() + "}").readLine();
        List<String> responses = client.send(message + "\r\n").readUntilTagged("a");
        String next = client.sendLine("b NOOP").readLine();

        assertThat(continuation).startsWith("+ ");
        assertThat(responses).last().asString().startsWith("a OK");
        assertThat(next).startsWith("b OK");
        assertThat(upstream.receivedLiterals()).hasSize(1);
        assertThat(new String(upstream.receivedLiterals().get(0), ISO_8859_1)).isEqualTo(message);
        assertThat(upstream.receivedCommand("STARTTLS")).isFalse();
        assertThat(upstream.receivedCommand("LOGOUT")).isFalse();
    }

    @Test
    void appendWithANonSynchronizingLiteralShouldBeRelayedInOneGo() throws Exception {
        client = loggedInClient();
        String message = "Subject: hi\r\n\r\n" + TRICKY;

        List<String> responses = client.send("a APPEND INBOX (\\Seen) {" + message.length() + "+}\r\n" + message + "\r\nb NOOP\r\n")
            .readUntilTagged("b");

        assertThat(responses).anyMatch(line -> line.startsWith("a OK"));
        assertThat(responses).noneMatch(line -> line.startsWith("+"));
        assertThat(new String(upstream.receivedLiterals().get(0), ISO_8859_1)).isEqualTo(message);
        assertThat(upstream.receivedCommand("STARTTLS")).isFalse();
        assertThat(upstream.receivedCommand("LOGOUT")).isFalse();
    }

    @Test
    void appendRejectedByTheUpstreamShouldLeaveTheSessionUsable() throws Exception {
        upstream.rejectAppend(true);
        client = loggedInClient();

        String answer = client.sendLine("a APPEND Nowhere {10}").readLine();
        String next = client.sendLine("b NOOP").readLine();

        assertThat(answer).startsWith("a NO [TRYCREATE]");
        assertThat(next).startsWith("b OK");
        assertThat(upstream.receivedLines()).contains("b NOOP");
    }

    @Test
    void pipelinedCommandsShouldAllBeAnsweredInOrder() throws Exception {
        client = loggedInClient();

        List<String> responses = client.send("a NOOP\r\nb SELECT INBOX\r\nc NOOP\r\nd CAPABILITY\r\n").readUntilTagged("d");

        assertThat(responses.stream().filter(line -> !line.startsWith("*")).map(line -> line.split(" ")[0]))
            .containsExactly("a", "b", "c", "d");
        assertThat(responses).allMatch(line -> line.startsWith("*") || line.split(" ")[1].equals("OK"));
    }

    @Test
    void idleShouldBeRelayedUntilDone() throws Exception {
        client = loggedInClient();

        String continuation = client.sendLine("a IDLE").readLine();
        String done = client.sendLine("DONE").readLine();
        String next = client.sendLine("b NOOP").readLine();

        assertThat(continuation).startsWith("+ ");
        assertThat(done).startsWith("a OK");
        assertThat(next).startsWith("b OK");
        assertThat(upstream.receivedLines()).containsSubsequence("a IDLE", "DONE", "b NOOP");
    }

    @Test
    void logoutShouldBeRelayedAndCloseBothLegs() throws Exception {
        client = loggedInClient();

        client.sendLine("a LOGOUT");
        String rest = client.readUntilClosed();

        assertThat(rest).contains("* BYE logging out\r\n").contains("a OK LOGOUT completed\r\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
        assertThat(fixture.metrics().countFor("imapproxy-active-connections")).isZero();
    }

    @Test
    void fetchedLiteralThatLooksLikeResponsesShouldReachTheClientUnchanged() throws Exception {
        String message = "Subject: tricky\r\n\r\n" + TRICKY + "a BYE\r\n* OK [CAPABILITY AUTH=PLAIN] x\r\n";
        upstream.message(1, message.getBytes(ISO_8859_1));
        client = loggedInClient();

        List<String> responses = client.sendLine("a FETCH 1 BODY[]").readUntilTagged("a");

        assertThat(responses).containsExactly(
            "* 1 FETCH (BODY[] {" + message.length() + "}\r\n" + message + " FLAGS (\\Seen))",
            "a OK FETCH completed");
    }

    @Test
    void commandLiteralThatLooksLikeCommandsShouldNotBeInterpreted() throws Exception {
        client = greetedClient();
        String password = "a\r\nb STARTTLS\r\n";

        String continuation = client.sendLine("a LOGIN user {" + password.length() + "}").readLine();
        String answer = client.send(password + "\r\n").readLine();

        assertThat(continuation).startsWith("+ ");
        assertThat(answer).startsWith("a OK");
        assertThat(upstream.receivedCommand("STARTTLS")).isFalse();
        assertThat(upstream.receivedLiterals()).extracting(bytes -> new String(bytes, ISO_8859_1)).containsExactly(password);
    }

    @Test
    void unknownCommandsShouldBeRelayedToTheUpstreamForItsAnswer() throws Exception {
        client = loggedInClient();

        String answer = client.sendLine("a XYZZY").readLine();

        assertThat(answer).startsWith("a BAD unknown command");
    }

    @Test
    void compressShouldBeRefusedByTheProxy() throws Exception {
        client = loggedInClient();

        String answer = client.sendLine("a COMPRESS DEFLATE").readLine();
        String next = client.sendLine("b NOOP").readLine();

        assertThat(answer).startsWith("a BAD");
        assertThat(next).startsWith("b OK");
        assertThat(upstream.receivedCommand("COMPRESS")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"<helloName autodetect=\"true\"/>", ""})
    void greetingShouldNameTheLocalHostWithoutAFixedHelloName(String helloName) throws Exception {
        fixture.start(ImapProxyFixture.policyWithHelloName(helloName, ""), upstream);
        ImapTestClient client = fixture.tlsClient();

        String greeting = client.readLine();

        assertThat(greeting).startsWith("* OK [CAPABILITY ").contains("] " + ImapProxyFixture.localHostName() + " ");
    }
}
