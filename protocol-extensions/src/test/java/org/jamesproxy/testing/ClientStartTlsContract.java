package org.jamesproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;

/**
 * The client leg's STARTTLS (POP3: STLS) against the attacks of the STARTTLS studies (CVE-2011-0411 command
 * injection, Poddebniak et al. 2021, "Why TLS is better without STARTTLS"): nothing received in clear after the
 * STARTTLS command may be executed, in clear or inside TLS; and STARTTLS is allowed once, on the plain port, before
 * login.
 */
public interface ClientStartTlsContract<U extends FakeUpstream, C extends TestClient> extends ProxyContract<U, C> {
    /** The fake upstream of the running test, plain. */
    U upstream();

    /** The verb: STARTTLS, STLS. */
    String startTlsVerb();

    /** The name of the protocol's STARTTLS counters, e.g. {@code stls} for {@code pop3proxy-stls-injection-refused}. */
    String startTlsMetric();

    /** How the go-ahead to the STARTTLS of {@code tag} starts: {@code a OK}, {@code +OK}, {@code 220}. */
    String goAhead(String tag);

    /** How the refusal of a STARTTLS that comes too late (in TLS, on the implicit port, after login) starts. */
    String refusal(String tag);

    /** How the refusal of a STARTTLS with bytes pipelined behind it starts. */
    default String injectionRefusal(String tag) {
        return refusal(tag);
    }

    /** The policy of the injection scenarios. */
    default String injectionPolicy() {
        return policy("");
    }

    /** A command pipelined behind STARTTLS, tagged {@code b}. */
    String injectedCommand();

    /** The start of a command, without its line end, pipelined behind STARTTLS. */
    String partialCommand();

    /** Lines sent in clear after the go-ahead, as if already inside TLS. */
    List<String> plaintextAfterTheGoAhead();

    /** What the client must never get back for {@link #plaintextAfterTheGoAhead()}. */
    List<String> answersToThePlaintext();

    /** What the upstream has received from a ready plain client (the proxy's prelude and relayed greeting words). */
    List<String> upstreamLinesOfAReadyPlainClient();

    /** Logs in on the plain port with tag {@code a}, the policy allowing plaintext authentication. */
    void logInInClear(C client) throws Exception;

    /** After the client leg's handshake: what the protocol asks first (SMTP: EHLO again). */
    default void afterUpgrade(C client) throws Exception {
    }

    /** A plain client after STARTTLS (tag {@code a}) and the handshake. */
    default C upgradedClient() throws Exception {
        C client = readyPlainClient();
        assertThat(ask(client, "a", startTlsVerb())).startsWith(goAhead("a"));
        client.startTls(fixture().clientTlsContext());
        afterUpgrade(client);
        return client;
    }

    @Test
    default void startTlsShouldBeRefusedAndConnectionClosedWhenACommandIsPipelinedBehindIt() throws Exception {
        fixture().start(injectionPolicy(), upstream());
        C client = readyPlainClient();

        client.send(command("a", startTlsVerb()) + "\r\n" + command("b", injectedCommand()) + "\r\n");

        assertThat(answer(client)).startsWith(injectionRefusal("a")).doesNotContain(ok("b"));
        assertThat(client.readUntilClosed()).doesNotContain(ok("b"));
        assertThat(upstream().receivedCommand(verb(command("b", injectedCommand())))).isFalse();
        assertThat(count(startTlsMetric() + "-injection-refused")).isEqualTo(1);
    }

    @Test
    default void startTlsShouldBeRefusedWhenPartialPlaintextFollowsIt() throws Exception {
        fixture().start(injectionPolicy(), upstream());
        C client = readyPlainClient();

        client.send(command("a", startTlsVerb()) + "\r\n" + partialCommand());

        assertThat(answer(client)).startsWith(injectionRefusal("a"));
        assertThat(client.isClosedByPeer()).isTrue();
    }

    @Test
    default void plaintextSentAfterTheGoAheadShouldFailTheHandshakeAndNeverBeExecuted() throws Exception {
        fixture().start(policy(""), upstream());
        C client = readyPlainClient();

        assertThat(ask(client, "a", startTlsVerb())).startsWith(goAhead("a"));
        client.send(String.join("\r\n", plaintextAfterTheGoAhead()) + "\r\n");

        String rest = client.readUntilClosed();
        for (String answer : answersToThePlaintext()) {
            assertThat(rest).doesNotContain(answer);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream().openConnections() == 0);
        for (String line : plaintextAfterTheGoAhead()) {
            assertThat(upstream().receivedCommand(verb(line))).as(line).isFalse();
        }
    }

    @Test
    default void secondStartTlsInsideTlsShouldBeRefused() throws Exception {
        fixture().start(policy(""), upstream());
        C client = upgradedClient();

        String answer = ask(client, "b", startTlsVerb());
        String next = ask(client, "c", "NOOP");

        assertThat(answer).startsWith(refusal("b"));
        assertThat(next).startsWith(ok("c"));
        assertThat(upstream().receivedCommand(startTlsVerb())).isFalse();
    }

    @Test
    default void startTlsShouldBeRefusedOnTheImplicitTlsPort() throws Exception {
        fixture().start(policy(""), upstream());
        C client = readyTlsClient();

        String answer = ask(client, "a", startTlsVerb());
        String next = ask(client, "b", "NOOP");

        assertThat(answer).startsWith(refusal("a"));
        assertThat(next).startsWith(ok("b"));
    }

    @Test
    default void startTlsShouldBeRefusedAfterLogin() throws Exception {
        fixture().start(policy("<allowPlaintextAuth>true</allowPlaintextAuth>"), upstream());
        C client = readyPlainClient();
        logInInClear(client);

        String answer = ask(client, "b", startTlsVerb());
        String next = ask(client, "c", "NOOP");

        assertThat(answer).startsWith(refusal("b"));
        assertThat(next).startsWith(ok("c"));
        assertThat(client.isTls()).isFalse();
    }

    @Test
    default void connectionShouldCloseBothLegsWhenTheClientAbandonsTheHandshake() throws Exception {
        fixture().start(policy(""), upstream());
        C client = readyPlainClient();
        assertThat(ask(client, "a", startTlsVerb())).startsWith(goAhead("a"));

        client.socket().shutdownOutput();

        assertThat(client.isClosedByPeer()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream().openConnections() == 0);
    }

    @Test
    default void clientThatCannotVerifyTheProxyShouldNotGetThrough() throws Exception {
        fixture().start(policy(""), upstream());
        C client = readyPlainClient();
        assertThat(ask(client, "a", startTlsVerb())).startsWith(goAhead("a"));

        assertThatThrownBy(() -> client.startTls(SSLContext.getDefault())).isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream().openConnections() == 0);
        assertThat(upstream().receivedLines()).isEqualTo(upstreamLinesOfAReadyPlainClient());
    }
}
