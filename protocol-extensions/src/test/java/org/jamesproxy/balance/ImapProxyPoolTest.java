package org.jamesproxy.balance;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Server load balancing on a pool of two fake IMAP servers, seen from real client sockets: how each balance mode
 * spreads connections, a dead member taken out by the health check, and stickiness per client address.
 */
class ImapProxyPoolTest {
    private ImapProxyFixture fixture;
    private FakeImapUpstream a;
    private FakeImapUpstream b;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        a = fixture.upstream();
        b = fixture.upstream();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private int probesOfA;
    private int probesOfB;

    /** Starts the policy and waits for the first round of health checks, whose connections the tests discount. */
    private void start(String poolAttributes, String members, String healthCheck) throws Exception {
        start(poolAttributes, members, healthCheck, "");
    }

    private void start(String poolAttributes, String members, String healthCheck, String extra) throws Exception {
        fixture.start(ImapProxyFixture.policy("enabled", "<tls>none</tls><pool " + poolAttributes + ">" + members
            + (healthCheck.isEmpty() ? "<healthCheck interval=\"1h\"/>" : healthCheck) + "</pool>", extra), a);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.pool().members().stream()
            .noneMatch(member -> member.lastCheck().equals("not checked yet")));
        probesOfA = a.acceptedConnections();
        probesOfB = b.acceptedConnections();
    }

    private int clientsOfA() {
        return a.acceptedConnections() - probesOfA;
    }

    private int clientsOfB() {
        return b.acceptedConnections() - probesOfB;
    }

    private String twoMembers(int weightA, int weightB) {
        return "<member host=\"127.0.0.1\" port=\"" + a.port() + "\" weight=\"" + weightA + "\"/>"
            + "<member host=\"127.0.0.1\" port=\"" + b.port() + "\" weight=\"" + weightB + "\"/>";
    }

    /**
     * Connects from {@code source}, reads the proxy's greeting, sends a command (the upstream leg opens at the first
     * one) and returns its tagged answer; null when the connection closed first.
     */
    private String greetingFrom(String source) throws IOException {
        try (Socket socket = open(source)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII));
            String greeting = in.readLine();
            if (greeting == null || !greeting.startsWith("* OK")) {
                return greeting;
            }
            socket.getOutputStream().write("a NOOP\r\n".getBytes(US_ASCII));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("a ")) {
                    return line.startsWith("a OK") ? greeting : line;
                }
                if (line.startsWith("* BYE")) {
                    return line;
                }
            }
            return null;
        }
    }

    private Socket open(String source) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(10_000);
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", fixture.plainPort()), 10_000);
        return socket;
    }

    @Test
    void roundRobinShouldAlternateBetweenTheMembers() throws Exception {
        start("balance=\"round-robin\"", twoMembers(1, 1), "");

        for (int i = 0; i < 4; i++) {
            assertThat(greetingFrom("127.0.0.1")).startsWith("* OK");
        }

        assertThat(clientsOfA()).isEqualTo(2);
        assertThat(clientsOfB()).isEqualTo(2);
    }

    @Test
    void weightedShouldGiveEachMemberItsShare() throws Exception {
        start("balance=\"weighted\"", twoMembers(2, 1), "");

        for (int i = 0; i < 6; i++) {
            assertThat(greetingFrom("127.0.0.1")).startsWith("* OK");
        }

        assertThat(clientsOfA()).isEqualTo(4);
        assertThat(clientsOfB()).isEqualTo(2);
    }

    @Test
    void leastConnectionsShouldPickTheLessBusyMember() throws Exception {
        start("balance=\"least-connections\"", twoMembers(1, 1), "");

        try (Socket held = open("127.0.0.1")) {
            BufferedReader heldIn = new BufferedReader(new InputStreamReader(held.getInputStream(), US_ASCII));
            heldIn.readLine();
            held.getOutputStream().write("a NOOP\r\n".getBytes(US_ASCII));
            heldIn.readLine();
            boolean aIsBusy = a.openConnections() == 1;

            for (int i = 0; i < 2; i++) {
                assertThat(greetingFrom("127.0.0.1")).startsWith("* OK");
                // The proxy counts a connection as gone once its upstream leg closed: wait for that.
                await().atMost(Duration.ofSeconds(10)).until(() -> fixture.pool().members().stream()
                    .mapToInt(PoolMember::activeConnections).sum() == 1);
            }

            assertThat(aIsBusy ? clientsOfA() : clientsOfB()).as("the busy member").isEqualTo(1);
            assertThat(aIsBusy ? clientsOfB() : clientsOfA()).as("the idle member").isEqualTo(2);
        }
    }

    @Test
    void aDeadMemberShouldBeTakenOutByTheHealthCheckAndEveryConnectionGoToTheOther() throws Exception {
        int dead;
        try (ServerSocket reserved = new ServerSocket(0)) {
            dead = reserved.getLocalPort();
        }
        start("balance=\"round-robin\"", "<member host=\"127.0.0.1\" port=\"" + dead + "\"/>"
            + "<member host=\"127.0.0.1\" port=\"" + b.port() + "\"/>", "<healthCheck interval=\"100ms\" timeout=\"1s\" failures=\"1\"/>");

        await().atMost(Duration.ofSeconds(10)).until(() -> !fixture.pool().members().get(0).isUp());
        for (int i = 0; i < 3; i++) {
            assertThat(greetingFrom("127.0.0.1")).startsWith("* OK");
        }

        assertThat(clientsOfB()).isGreaterThanOrEqualTo(3);
        assertThat(fixture.pool().members().get(1).isUp()).isTrue();
        assertThat(fixture.pool().members().get(0).lastCheck()).contains("cannot connect");
    }

    @Test
    void aMemberThatStopsAnsweringShouldBeFailedOverWhenTheNextClientConnects() throws Exception {
        start("balance=\"round-robin\"", twoMembers(1, 1), "<healthCheck interval=\"1h\"/>");
        b.close();

        // The first connection to the dead member fails and marks it down; every later one reaches a.
        int greeted = 0;
        for (int i = 0; i < 4; i++) {
            String line = greetingFrom("127.0.0.1");
            if (line != null && line.startsWith("* OK")) {
                greeted++;
            }
        }

        assertThat(greeted).isGreaterThanOrEqualTo(3);
        assertThat(fixture.pool().members().get(1).isUp()).isFalse();
    }

    @Test
    void aStickyPoolShouldKeepEachClientAddressOnOneMember() throws Exception {
        start("balance=\"round-robin\" sticky=\"10m\"", twoMembers(1, 1), "");

        for (int i = 0; i < 3; i++) {
            assertThat(greetingFrom("127.0.0.2")).startsWith("* OK");
        }
        assertThat(greetingFrom("127.0.0.3")).startsWith("* OK");

        assertThat(java.util.List.of(clientsOfA(), clientsOfB())).containsExactlyInAnyOrder(3, 1);
    }

    @Test
    void anAccessRuleToListShouldKeepItsClientsOnTheMembersItNames() throws Exception {
        start("balance=\"round-robin\"", twoMembers(1, 1), "", "<access><rule name=\"lab\" from=\"127.0.0.2\""
            + " disposition=\"allowed\" to=\"127.0.0.1:" + b.port() + "\"/></access>");

        for (int i = 0; i < 4; i++) {
            assertThat(greetingFrom("127.0.0.2")).startsWith("* OK");
        }
        for (int i = 0; i < 2; i++) {
            assertThat(greetingFrom("127.0.0.3")).startsWith("* OK");
        }

        assertThat(clientsOfB()).as("127.0.0.2's four and one of 127.0.0.3's").isEqualTo(5);
        assertThat(clientsOfA()).isEqualTo(1);
    }
}
