package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.jamesproxy.testing.ClientStartTlsContract;
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapDialect;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client leg's STARTTLS against the attacks of the STARTTLS studies (CVE-2011-0411 command injection,
 * Poddebniak et al. 2021, "Why TLS is better without STARTTLS"): nothing received in clear after the STARTTLS
 * command may be executed, in clear or inside TLS. The scenarios every protocol shares are in
 * {@link ClientStartTlsContract}; here IMAP's own: STARTTLS pipelined behind a command still in flight.
 */
class ImapProxyClientStartTlsTest implements ClientStartTlsContract<FakeImapUpstream, ImapTestClient>, ImapDialect {
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

    @Override
    public String startTlsVerb() {
        return "STARTTLS";
    }

    @Override
    public String startTlsMetric() {
        return "starttls";
    }

    @Override
    public String goAhead(String tag) {
        return tag + " OK";
    }

    @Override
    public String refusal(String tag) {
        return tag + " BAD";
    }

    @Override
    public String injectedCommand() {
        return "NOOP";
    }

    @Override
    public String partialCommand() {
        return "b LOG";
    }

    @Override
    public List<String> plaintextAfterTheGoAhead() {
        return List.of("b NOOP", "c LOGIN user secret");
    }

    @Override
    public List<String> answersToThePlaintext() {
        return List.of("b OK", "c ");
    }

    @Override
    public List<String> upstreamLinesOfAReadyPlainClient() {
        return List.of();
    }

    @Override
    public void logInInClear(ImapTestClient client) throws Exception {
        assertThat(client.sendLine("a LOGIN user secret").readLine()).startsWith("a OK");
    }

    private ImapTestClient greetedPlainClient() throws Exception {
        return readyPlainClient();
    }

    @Test
    void startTlsPipelinedBehindAnotherCommandShouldWaitForThatCommandsResponse() throws Exception {
        upstream.hold("NOOP");
        fixture.start(policy(""), upstream);
        ImapTestClient client = greetedPlainClient();

        client.send("a NOOP\r\nb STARTTLS\r\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.receivedLines().contains("a NOOP"));
        assertThat(client.isSilentFor(Duration.ofMillis(300))).isTrue();
        upstream.release("NOOP");

        assertThat(client.readLine()).startsWith("a OK");
        assertThat(client.readLine()).startsWith("b OK");
        client.startTls(fixture.clientTlsContext());
        assertThat(client.sendLine("c NOOP").readLine()).startsWith("c OK");
        assertThat(upstream.receivedCommand("STARTTLS")).isFalse();
    }

    @Test
    void startTlsPipelinedBehindAnotherCommandShouldStillRefuseWhatFollowsIt() throws Exception {
        upstream.hold("NOOP");
        fixture.start(policy(""), upstream);
        ImapTestClient client = greetedPlainClient();

        client.send("a NOOP\r\nb STARTTLS\r\nc NOOP\r\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.receivedLines().contains("a NOOP"));
        upstream.release("NOOP");

        assertThat(client.readLine()).startsWith("a OK");
        assertThat(client.readLine()).startsWith("b BAD");
        assertThat(client.isClosedByPeer()).isTrue();
        assertThat(upstream.receivedLines()).doesNotContain("c NOOP");
    }

    @Test
    void startTlsWithArgumentsShouldBeRefusedWithBad() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = greetedPlainClient();

        String answer = client.sendLine("a1 STARTTLS junk").readLine();
        String next = client.sendLine("a2 NOOP").readLine();

        assertThat(answer).startsWith("a1 BAD");
        assertThat(next).startsWith("a2 OK");
        assertThat(fixture.metrics().countFor("imapproxy-starttls")).isZero();
        assertThat(upstream.receivedCommand("STARTTLS")).isFalse();
    }
}
