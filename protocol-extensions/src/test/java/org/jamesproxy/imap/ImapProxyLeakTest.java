package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jamesproxy.testing.ImapProxyFixture.policy;

import java.time.Duration;
import java.util.List;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

/** Connections dropped at any point leave nothing behind: no upstream connection, no unreleased buffer. */
class ImapProxyLeakTest {
    private static final int CONNECTIONS = 200;

    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;
    private ResourceLeakDetector.Level previousLevel;
    private ListAppender<ILoggingEvent> leakReports;
    private Logger leakLogger;

    @BeforeEach
    void setUp() throws Exception {
        previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        leakLogger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        leakReports = new ListAppender<>();
        leakReports.start();
        leakLogger.addAppender(leakReports);
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream().message(1, ("Subject: m\r\n\r\n" + "z".repeat(5000) + "\r\n").getBytes());
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
        leakLogger.detachAppender(leakReports);
        ResourceLeakDetector.setLevel(previousLevel);
    }

    @Test
    void droppedConnectionsShouldCloseTheirUpstreamAndLeakNoBuffer() throws Exception {
        fixture.start(policy(ImapProxyFixture.withInspection("")), upstream);

        for (int i = 0; i < CONNECTIONS; i++) {
            try (ImapTestClient client = i % 2 == 0 ? ImapTestClient.connect(fixture.plainPort())
                : ImapTestClient.connectTls(fixture.tlsPort(), fixture.clientTlsContext())) {
                switch (i % 5) {
                    case 0:
                        // dropped before (or while) the upstream leg is set up
                        break;
                    case 1:
                        client.readLine();
                        client.send("a NOOP\r\nb NO");
                        break;
                    case 2:
                        client.readLine();
                        client.send("a APPEND INBOX {100000+}\r\n" + "q".repeat(3000));
                        break;
                    case 3:
                        client.readLine();
                        client.sendLine(i % 2 == 0 ? "a STARTTLS" : "a LOGIN u p");
                        client.readLine();
                        break;
                    default:
                        client.readLine();
                        client.sendLine(i % 2 == 0 ? "a CAPABILITY" : "a LOGIN u p");
                        client.readLine();
                        client.sendLine("b FETCH 1 BODY[]");
                        break;
                }
            }
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(upstream.acceptedConnections()).isEqualTo(CONNECTIONS);
            assertThat(upstream.openConnections()).isZero();
        });
        await().atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(fixture.metrics().countFor("imapproxy-active-connections")).isZero());
        provokeLeakReports();
        assertThat(leakReports.list).extracting(ILoggingEvent::getFormattedMessage)
            .filteredOn(message -> message.contains("LEAK"))
            .isEmpty();
        assertThat(upstream.errors()).isEmpty();
    }

    /** The detector reports when a later allocation finds a collected, unreleased buffer: collect, then allocate. */
    private void provokeLeakReports() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            List<ByteBuf> buffers = List.of(PooledByteBufAllocator.DEFAULT.buffer(64), PooledByteBufAllocator.DEFAULT.directBuffer(64));
            buffers.forEach(ByteBuf::release);
        }
    }
}
