package org.jamesproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.junit.jupiter.api.Test;

/**
 * The proxy's leg to the real server: STARTTLS (STLS) toward it, its certificate checks, and the faults of a hostile
 * or absent upstream. Whatever goes wrong, the client gets the protocol's temporary refusal and the connection ends,
 * before anything of the client's reached the upstream.
 */
public interface UpstreamLegContract<U extends FakeUpstream, C extends TestClient> extends ProxyContract<U, C> {
    /** How the proxy's refusal starts: {@code * BYE [UNAVAILABLE]}, {@code -ERR [SYS/TEMP]}, {@code 421}. */
    String unavailable();

    /** A greeting the client must not get when the upstream leg failed. */
    String greeting();

    /** The client's first command once greeted (tag {@code a}), e.g. a login. */
    String firstCommand();

    /** The verb of the protocol's STARTTLS toward the upstream. */
    String startTlsVerb();

    /** A client connected to see the refusal. */
    default C refusedClient() throws Exception {
        return fixture().tlsClient();
    }

    /** The fake, set to append bytes to its STARTTLS go-ahead. */
    U injectingAfterTheGoAhead(U upstream);

    /** The fake, set to refuse STARTTLS. */
    U refusingStartTls(U upstream);

    /** The fake, set not to offer STARTTLS. */
    U notOfferingStartTls(U upstream);

    /** The fake, set to greet with an error. */
    U greetingWithAnError(U upstream);

    /** The fake, set to greet with a line carrying {@code filler}. */
    U greetingWith(U upstream, String filler);

    /** What the proxy sends an upstream that does not offer STARTTLS before it gives up. */
    List<String> upstreamLinesWithoutStartTls();

    /** What the proxy sends before the upstream's TLS handshake. */
    List<String> upstreamLinesBeforeTheHandshake();

    /** How soon a closed upstream port is reported to the client. */
    Duration refusalOfADownUpstreamWithin();

    default void assertRefused(U upstream) throws Exception {
        String received = refusedClient().readUntilClosed();

        assertThat(received).startsWith(unavailable());
        assertThat(received).doesNotContain(greeting());
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
        assertThat(upstream.receivedCommand(verb(command("a", firstCommand())))).isFalse();
        assertThat(count("upstream-failures")).isEqualTo(1);
    }

    private String starttlsPolicy() {
        return policy("enabled", ProxyFixture.starttlsUpstreamXml(), "");
    }

    private String implicitTlsPolicy() {
        return policy("enabled", ProxyFixture.implicitTlsUpstreamXml(), "");
    }

    @Test
    default void implicitTlsUpstreamShouldBeUsableWhenItsCertificateIsValid() throws Exception {
        U upstream = fixture().implicitTlsUpstream(TestPki.serverContext(fixture().pki().upstreamCertificate()));
        fixture().start(implicitTlsPolicy(), upstream);
        C client = readyTlsClient();

        assertThat(ask(client, "a", firstCommand())).startsWith(ok("a"));
    }

    @Test
    default void clientShouldBeRefusedWhenTheUpstreamAppendsBytesToItsStartTlsGoAhead() throws Exception {
        U upstream = injectingAfterTheGoAhead(fixture().starttlsUpstream());
        fixture().start(starttlsPolicy(), upstream);

        assertRefused(upstream);
    }

    @Test
    default void clientShouldBeRefusedWhenTheUpstreamRefusesStartTls() throws Exception {
        U upstream = refusingStartTls(fixture().starttlsUpstream());
        fixture().start(starttlsPolicy(), upstream);

        assertRefused(upstream);
    }

    @Test
    default void clientShouldBeRefusedWhenTheUpstreamDoesNotOfferStartTls() throws Exception {
        U upstream = notOfferingStartTls(fixture().starttlsUpstream());
        fixture().start(starttlsPolicy(), upstream);

        assertRefused(upstream);
        assertThat(upstream.receivedCommand(startTlsVerb())).isFalse();
        assertThat(upstream.receivedLines()).containsExactlyElementsOf(upstreamLinesWithoutStartTls());
    }

    @Test
    default void clientShouldBeRefusedWhenTheUpstreamCertificateNamesAnotherHost() throws Exception {
        assertStartTlsCertificateRefused(fixture().pki().wrongHostCertificate());
    }

    @Test
    default void clientShouldBeRefusedWhenTheUpstreamCertificateIsSelfSigned() throws Exception {
        assertStartTlsCertificateRefused(fixture().pki().selfSignedCertificate());
    }

    @Test
    default void clientShouldBeRefusedWhenTheUpstreamCertificateIsExpired() throws Exception {
        assertStartTlsCertificateRefused(fixture().pki().expiredCertificate());
    }

    private void assertStartTlsCertificateRefused(IssuedCertificate certificate) throws Exception {
        U upstream = fixture().starttlsUpstream(TestPki.serverContext(certificate));
        fixture().start(starttlsPolicy(), upstream);

        assertRefused(upstream);
        assertThat(upstream.receivedLines()).containsExactlyElementsOf(upstreamLinesBeforeTheHandshake());
    }

    @Test
    default void clientShouldBeRefusedWhenTheImplicitTlsUpstreamCertificateNamesAnotherHost() throws Exception {
        U upstream = fixture().implicitTlsUpstream(TestPki.serverContext(fixture().pki().wrongHostCertificate()));
        fixture().start(implicitTlsPolicy(), upstream);

        assertRefused(upstream);
        assertThat(upstream.receivedLines()).isEmpty();
    }

    @Test
    default void clientShouldBeRefusedQuicklyWhenTheUpstreamIsDown() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        fixture().start(policy(""), closedPort, MessageInspector.PASS_THROUGH);
        long start = System.nanoTime();

        String received = refusedClient().readUntilClosed();

        assertThat(received).startsWith(unavailable());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(refusalOfADownUpstreamWithin());
    }

    @Test
    default void clientShouldBeRefusedWhenTheUpstreamGreetsWithAnError() throws Exception {
        U upstream = greetingWithAnError(fixture().upstream());
        fixture().start(policy(""), upstream);

        assertRefused(upstream);
    }

    @Test
    default void clientShouldBeRefusedWhenTheUpstreamGreetsWithAnOverlongLine() throws Exception {
        U upstream = greetingWith(fixture().upstream(), "x".repeat(3000));
        fixture().start(policy("<limits><maxUpstreamLineLength>1K</maxUpstreamLineLength></limits>"), upstream);

        assertRefused(upstream);
    }

    @Test
    default void clientShouldBeRefusedWhenTheUpstreamDropsTheConnectionAfterTheGreeting() throws Exception {
        U upstream = fixture().upstream();
        fixture().start(policy(""), upstream);
        C client = readyTlsClient();

        upstream.close();

        assertThat(client.readUntilClosed()).startsWith(unavailable());
    }
}
