package org.jamesproxy.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.jamesproxy.policy.AccessControl;
import org.jamesproxy.policy.InMemoryPolicyStateStore;
import org.junit.jupiter.api.Test;

/**
 * A policy's connection rules, as a client sees them at connect, from real loopback source addresses (127.0.0.2,
 * 127.0.0.3, ...: the client socket is bound to them): a denied source gets the protocol's refusal and the close, a
 * denied-reset one a connection reset, and neither makes the proxy open an upstream connection; auto-block keeps a
 * source out for the configured duration; rate limits; the operating schedule, read from an injected clock.
 */
public interface AccessRulesContract<U extends FakeUpstream, C extends TestClient> extends ProxyContract<U, C> {
    U upstream();

    /** How the protocol's refusal line starts: {@code * BYE}, {@code -ERR}, {@code 554}. */
    String refusal();

    /** How the proxy's greeting starts: {@code * OK}, {@code +OK}, {@code 220}. */
    String greeting();

    private void start(String rules) throws Exception {
        fixture().start(policy(rules), upstream());
    }

    /** The first line the proxy sends to a client from {@code source}, or null when it closes without one. */
    private String firstLineFrom(String source) throws IOException {
        try (Socket socket = connectFrom(source, fixture().plainPort())) {
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII)).readLine();
        }
    }

    private static Socket connectFrom(String source, int port) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(10_000);
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return socket;
    }

    @Test
    default void aDeniedSourceShouldGetTheRefusalAndNoUpstreamConnection() throws Exception {
        start("<access><rule name=\"lab\" from=\"127.0.0.2\" disposition=\"denied\"/></access>");

        assertThat(firstLineFrom("127.0.0.2")).startsWith(refusal()).contains("access denied").doesNotContain("lab");
        assertThat(upstream().acceptedConnections()).isZero();
        assertThat(fixture().metrics().countFor(AccessControl.REFUSED_METRIC)).isEqualTo(1);
    }

    @Test
    default void anotherSourceShouldBeGreetedWhenTheFirstRuleDoesNotMatchIt() throws Exception {
        start("<access><rule from=\"127.0.0.2\" disposition=\"denied\"/>"
            + "<rule from=\"127.0.0.0/29\" disposition=\"allowed\"/><default disposition=\"denied\"/></access>");

        assertThat(firstLineFrom("127.0.0.3")).startsWith(greeting());
        assertThat(firstLineFrom("127.0.0.9")).startsWith(refusal());
    }

    @Test
    default void aDeniedResetSourceShouldSeeAConnectionResetAndNothingElse() throws Exception {
        start("<access><rule from=\"127.0.0.2\" disposition=\"denied-reset\"/></access>");

        // The reset may come while the client is still connecting or at its first read.
        assertThatThrownBy(() -> {
            try (Socket socket = connectFrom("127.0.0.2", fixture().plainPort())) {
                socket.getInputStream().read();
            }
        }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        assertThat(upstream().acceptedConnections()).isZero();
    }

    @Test
    default void aDeniedSourceOnTheImplicitTlsPortShouldBeClosedBeforeAnyHandshake() throws Exception {
        start("<access><default disposition=\"denied\"/></access>");

        try (Socket socket = connectFrom("127.0.0.2", fixture().tlsPort())) {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(upstream().acceptedConnections()).isZero();
    }

    @Test
    default void anAutoBlockRuleShouldKeepTheSourceOutOfTheWholePolicyUntilTheBlockExpires() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
        fixture().withPolicyState(new InMemoryPolicyStateStore(clock), clock);
        // The rule denies only the one probe address; the block then keeps its whole traffic out.
        start("<autoBlock duration=\"10m\"/><rateLimits connectionsPerMinute=\"2\" autoBlock=\"true\"/>");

        assertThat(firstLineFrom("127.0.0.2")).startsWith(greeting());
        assertThat(firstLineFrom("127.0.0.2")).startsWith(greeting());
        assertThat(firstLineFrom("127.0.0.2")).startsWith(refusal());
        assertThat(fixture().policyState().blocked("127.0.0.2", clock.instant()).join()).isPresent();
        clock.advance(Duration.ofMinutes(2));
        assertThat(firstLineFrom("127.0.0.2")).as("blocked though the rate window passed").startsWith(refusal());
        assertThat(firstLineFrom("127.0.0.3")).as("another source").startsWith(greeting());

        clock.advance(Duration.ofMinutes(9));

        assertThat(firstLineFrom("127.0.0.2")).startsWith(greeting());
    }

    @Test
    default void anExceptionShouldNeverBeBlocked() throws Exception {
        start("<autoBlock duration=\"10m\" exceptions=\"127.0.0.2\"/>"
            + "<rateLimits connectionsPerMinute=\"1\" autoBlock=\"true\"/>");

        assertThat(firstLineFrom("127.0.0.2")).startsWith(greeting());
        assertThat(firstLineFrom("127.0.0.2")).startsWith(greeting());
        assertThat(fixture().policyState().blocked("127.0.0.2", Instant.now()).join()).isEmpty();
    }

    @Test
    default void aConnectionOutsideTheScheduleShouldBeRefused() throws Exception {
        // 2026-12-06 is a Sunday.
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
        fixture().withPolicyState(new InMemoryPolicyStateStore(clock), clock);
        start("<schedule zone=\"Europe/Paris\"><window days=\"mon-fri\" hours=\"08:00-18:00\"/></schedule>");

        assertThat(firstLineFrom("127.0.0.2")).startsWith(refusal()).contains("closed");

        clock.set(Instant.parse("2026-12-07T08:30:00Z"));   // Monday 09:30 in Paris

        assertThat(firstLineFrom("127.0.0.2")).startsWith(greeting());
    }

    /** A clock a test moves by hand. */
    final class MutableClock extends java.time.Clock {
        private volatile Instant now;

        public MutableClock(Instant start) {
            this.now = start;
        }

        public void advance(Duration duration) {
            now = now.plus(duration);
        }

        public void set(Instant instant) {
            now = instant;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
