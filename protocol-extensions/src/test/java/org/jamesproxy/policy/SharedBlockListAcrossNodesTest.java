package org.jamesproxy.policy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jamesproxy.engine.testing.Haproxy;
import org.jamesproxy.engine.testing.RedisDaemon;
import org.jamesproxy.policy.redis.RedisEndpoint;
import org.jamesproxy.policy.redis.RedisPolicyStateStore;
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two proxy nodes behind Debian's HAProxy (round robin, PROXY v2) sharing one real redis-server: a client address
 * blocked by one node (a rate-limit breach with auto-block) is refused by both, other clients are not.
 */
class SharedBlockListAcrossNodesTest {
    @RegisterExtension
    static RedisDaemon redis = new RedisDaemon();
    @RegisterExtension
    static Haproxy haproxy = new Haproxy();

    private static final String POLICY = "<acceptProxyProtocol><trustedProxies>127.0.0.1</trustedProxies></acceptProxyProtocol>"
        + "<autoBlock duration=\"10m\"/><rateLimits connectionsPerMinute=\"3\" autoBlock=\"true\"/>";

    @TempDir
    Path directory;

    private final String prefix = "nodes-" + System.nanoTime() + ":";
    private ImapProxyFixture nodeA;
    private ImapProxyFixture nodeB;

    @BeforeEach
    void setUp() throws Exception {
        nodeA = node();
        nodeB = node();
    }

    private ImapProxyFixture node() throws Exception {
        ImapProxyFixture node = new ImapProxyFixture();
        node.withPolicyState(new RedisPolicyStateStore(RedisEndpoint.parse(redis.uri()), prefix, Duration.ofSeconds(2),
            Clock.systemUTC()), Clock.systemUTC());
        FakeImapUpstream upstream = node.upstream();
        node.start(ImapProxyFixture.policy(POLICY), upstream);
        return node;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (ImapProxyFixture node : List.of(nodeA, nodeB)) {
            node.policyState().close();
            node.close();
        }
    }

    private static String firstLineFrom(String source, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(10_000);
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII)).readLine();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aSourceBlockedByOneNodeShouldBeRefusedByBoth() throws Exception {
        int front = freePort();
        try (Haproxy.Running balancer = haproxy.start(directory, front, List.of(nodeA.plainPort(), nodeB.plainPort()))) {
            // Round robin: the first three land on A, B, A and are counted in the one shared rate window.
            for (int i = 0; i < 3; i++) {
                assertThat(firstLineFrom("127.0.0.5", front)).startsWith("* OK");
            }
            assertThat(firstLineFrom("127.0.0.5", front)).as("over the limit: blocked").startsWith("* BYE");

            for (int i = 0; i < 4; i++) {
                assertThat(firstLineFrom("127.0.0.5", front)).as("refused by whichever node").startsWith("* BYE");
            }
            assertThat(firstLineFrom("127.0.0.6", front)).as("another client").startsWith("* OK");
        }
        assertThat(nodeA.metrics().countFor(AccessControl.REFUSED_METRIC)).isPositive();
        assertThat(nodeB.metrics().countFor(AccessControl.REFUSED_METRIC)).isPositive();
        assertThat(nodeA.policyState().blocked("127.0.0.5", Instant.now()).join()).hasValueSatisfying(site ->
            assertThat(site.reason()).contains("rate limit"));
    }
}
