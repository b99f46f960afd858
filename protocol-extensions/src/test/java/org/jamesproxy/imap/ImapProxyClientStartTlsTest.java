package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.jamesproxy.testing.ImapProxyFixture.policy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client leg's STARTTLS against the attacks of the STARTTLS studies (CVE-2011-0411 command injection,
 * Poddebniak et al. 2021, "Why TLS is better without STARTTLS"): nothing received in clear after the STARTTLS
 * command may be executed, in clear or inside TLS.
 */
class ImapProxyClientStartTlsTest {
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

    private ImapTestClient greetedPlainClient() throws Exception {
        ImapTestClient client = fixture.plainClient();
        assertThat(client.readLine()).startsWith("* OK");
        return client;
    }

    @Test
    void startTlsShouldBeRefusedAndConnectionClosedWhenACommandIsPipelinedBehindIt() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = greetedPlainClient();

        client.send("a STARTTLS\r\nb NOOP\r\n");

        assertThat(client.readLine()).startsWith("a BAD");
        assertThat(client.readUntilClosed()).doesNotContain("b OK");
        assertThat(upstream.receivedCommand("NOOP")).isFalse();
        assertThat(fixture.metrics().countFor("imapproxy-starttls-injection-refused")).isEqualTo(1);
    }

    @Test
    void startTlsShouldBeRefusedWhenPartialPlaintextFollowsIt() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = greetedPlainClient();

        client.send("a STARTTLS\r\nb LOG");

        assertThat(client.readLine()).startsWith("a BAD");
        assertThat(client.isClosedByPeer()).isTrue();
    }

    @Test
    void plaintextSentAfterTheGoAheadShouldFailTheHandshakeAndNeverBeExecuted() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = greetedPlainClient();

        assertThat(client.sendLine("a STARTTLS").readLine()).startsWith("a OK");
        client.send("b NOOP\r\nc LOGIN user secret\r\n");

        String rest = client.readUntilClosed();
        assertThat(rest).doesNotContain("b OK").doesNotContain("c ");
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
        assertThat(upstream.receivedCommand("NOOP")).isFalse();
        assertThat(upstream.receivedCommand("LOGIN")).isFalse();
    }

    @Test
    void secondStartTlsInsideTlsShouldBeRefused() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = greetedPlainClient();
        client.sendLine("a STARTTLS").readLine();
        client.startTls(fixture.clientTlsContext());

        String answer = client.sendLine("b STARTTLS").readLine();
        String next = client.sendLine("c NOOP").readLine();

        assertThat(answer).startsWith("b BAD");
        assertThat(next).startsWith("c OK");
        assertThat(upstream.receivedCommand("STARTTLS")).isFalse();
    }

    @Test
    void startTlsShouldBeRefusedOnTheImplicitTlsPort() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();

        String answer = client.sendLine("a STARTTLS").readLine();
        String next = client.sendLine("b NOOP").readLine();

        assertThat(answer).startsWith("a BAD");
        assertThat(next).startsWith("b OK");
    }

    @Test
    void startTlsShouldBeRefusedAfterLogin() throws Exception {
        fixture.start(policy("<allowPlaintextAuth>true</allowPlaintextAuth>"), upstream);
        ImapTestClient client = greetedPlainClient();
        assertThat(client.sendLine("a LOGIN user secret").readLine()).startsWith("a OK");

        String answer = client.sendLine("b STARTTLS").readLine();
        String next = client.sendLine("c NOOP").readLine();

        assertThat(answer).startsWith("b BAD");
        assertThat(next).startsWith("c OK");
        assertThat(client.isTls()).isFalse();
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
    void connectionShouldCloseBothLegsWhenTheClientAbandonsTheHandshake() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = greetedPlainClient();
        assertThat(client.sendLine("a STARTTLS").readLine()).startsWith("a OK");

        client.socket().shutdownOutput();

        assertThat(client.isClosedByPeer()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
    }

    @Test
    void clientThatCannotVerifyTheProxyShouldNotGetThrough() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = greetedPlainClient();
        client.sendLine("a STARTTLS").readLine();

        assertThatThrownBy(() -> client.startTls(javax.net.ssl.SSLContext.getDefault()))
            .isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
        assertThat(upstream.receivedLines()).isEqualTo(List.of());
    }
}
