package org.jamesproxy.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;

import javax.net.ssl.SSLSocket;


import org.jamesproxy.inspection.MessageInspector;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The HAProxy PROXY protocol both ways. Out ({@code <upstream><proxyProtocol>}): the upstream connection opens with
 * a header naming the real client and where it connected, before the implicit-TLS ClientHello. In
 * ({@code <acceptProxyProtocol>}): only a trusted proxy's valid header lets a session start, and its client address
 * is the one the proxy passes on; an untrusted peer, a missing or a LOCAL header close the connection before any
 * byte of the mail protocol, with nothing upstream.
 */
public interface ProxyProtocolContract<U extends FakeUpstream, C extends TestClient> extends ProxyContract<U, C> {
    /** How the proxy's greeting starts: {@code * OK}, {@code +OK}, {@code 220}. */
    String greeting();

    /** A first command line for the client to send (tag {@code a}). */
    String firstCommand();

    String TRUSTING_LOOPBACK = "<acceptProxyProtocol><trustedProxies>10.0.0.0/8, 127.0.0.0/8</trustedProxies>"
        + "<headerTimeout>1s</headerTimeout></acceptProxyProtocol>";

    String TRUSTING_ANOTHER_NETWORK = "<acceptProxyProtocol><trustedProxies>10.0.0.0/8</trustedProxies></acceptProxyProtocol>";

    private String refusals() {
        return "mailproxy-proxy-header-refused";
    }

    @Test
    default void theUpstreamConnectionShouldOpenWithAV2HeaderNamingTheClient() throws Exception {
        try (HeaderRecordingServer upstream = HeaderRecordingServer.start()) {
            fixture().start(policy("enabled", "<tls>none</tls><proxyProtocol>v2</proxyProtocol>", ""), upstream.port(),
                MessageInspector.PASS_THROUGH);
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), fixture().plainPort())) {
                client.getOutputStream().write((command("a", firstCommand()) + "\r\n").getBytes(US_ASCII));

                HeaderRecordingServer.Opening opening = upstream.nextOpening();

                assertThat(opening.header()).isEqualTo(new ProxyHeaders.Header(2, "PROXY", "127.0.0.1",
                    client.getLocalPort(), "127.0.0.1", fixture().plainPort()));
                assertThat(opening.nextByte()).as("the proxy waits for the greeting after the header")
                    .isEqualTo(HeaderRecordingServer.NOTHING);
            }
        }
    }

    @Test
    default void aV1HeaderShouldComeBeforeTheUpstreamTlsHandshake() throws Exception {
        try (HeaderRecordingServer upstream = HeaderRecordingServer.start()) {
            fixture().start(policy("enabled", ProxyFixture.implicitTlsUpstreamXml() + "<proxyProtocol>v1</proxyProtocol>", ""),
                upstream.port(), MessageInspector.PASS_THROUGH);
            try (SSLSocket client = (SSLSocket) fixture().clientTlsContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), fixture().tlsPort())) {
                client.startHandshake();
                client.getOutputStream().write((command("a", firstCommand()) + "\r\n").getBytes(US_ASCII));
                client.getOutputStream().flush();

                HeaderRecordingServer.Opening opening = upstream.nextOpening();

                assertThat(opening.header()).isEqualTo(new ProxyHeaders.Header(1, "PROXY", "127.0.0.1",
                    client.getLocalPort(), "127.0.0.1", fixture().tlsPort()));
                assertThat(opening.nextByte()).as("a TLS handshake record follows the header").isEqualTo(0x16);
            }
        }
    }

    @Test
    default void aTrustedProxysClientShouldBeTheOneNamedUpstream() throws Exception {
        try (HeaderRecordingServer upstream = HeaderRecordingServer.start()) {
            fixture().start(policy("enabled", "<tls>none</tls><proxyProtocol>v2</proxyProtocol>", TRUSTING_LOOPBACK),
                upstream.port(), MessageInspector.PASS_THROUGH);
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), fixture().plainPort())) {
                OutputStream out = client.getOutputStream();
                out.write(ProxyHeaders.v1("192.0.2.7", 40000, "198.51.100.1", 587));
                out.write((command("a", firstCommand()) + "\r\n").getBytes(US_ASCII));

                assertThat(upstream.nextOpening().header())
                    .isEqualTo(new ProxyHeaders.Header(2, "PROXY", "192.0.2.7", 40000, "198.51.100.1", 587));
            }
        }
    }

    @Test
    default void anIpv6ClientOfATrustedProxyShouldGoUpstreamAsTcp6() throws Exception {
        try (HeaderRecordingServer upstream = HeaderRecordingServer.start()) {
            fixture().start(policy("enabled", "<tls>none</tls><proxyProtocol>v2</proxyProtocol>", TRUSTING_LOOPBACK),
                upstream.port(), MessageInspector.PASS_THROUGH);
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), fixture().plainPort())) {
                OutputStream out = client.getOutputStream();
                out.write(ProxyHeaders.v1("TCP6", "2001:db8::7", 40000, "2001:db8::1", 143));
                out.write((command("a", firstCommand()) + "\r\n").getBytes(US_ASCII));

                assertThat(upstream.nextOpening().header())
                    .isEqualTo(new ProxyHeaders.Header(2, "PROXY", "2001:db8:0:0:0:0:0:7", 40000, "2001:db8:0:0:0:0:0:1", 143));
            }
        }
    }

    @Test
    default void aSessionBehindATrustedProxyShouldRunOverImplicitTls() throws Exception {
        U upstream = fixture().upstream();
        fixture().start(policy(TRUSTING_LOOPBACK), upstream);
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), fixture().tlsPort())) {
            raw.getOutputStream().write(ProxyHeaders.v2(true, "192.0.2.8", 40001, "198.51.100.1", 993));
            SSLSocket tls = (SSLSocket) fixture().clientTlsContext().getSocketFactory()
                .createSocket(raw, "localhost", raw.getPort(), true);
            tls.setSoTimeout(10_000);
            tls.startHandshake();

            assertThat(firstLine(tls.getInputStream())).startsWith(greeting());
        }
        assertThat(fixture().metrics().countFor(refusals())).isZero();
    }

    @Test
    default void aHeaderAndTheClientHelloInOneSegmentShouldBothBeRead() throws Exception {
        U upstream = fixture().upstream();
        fixture().start(policy(TRUSTING_LOOPBACK), upstream);
        try (Socket raw = new HeaderFirstSocket(InetAddress.getLoopbackAddress(), fixture().tlsPort(),
            ProxyHeaders.v2(true, "192.0.2.9", 40002, "198.51.100.1", 993))) {
            SSLSocket tls = (SSLSocket) fixture().clientTlsContext().getSocketFactory()
                .createSocket(raw, "localhost", raw.getPort(), true);
            tls.setSoTimeout(10_000);
            tls.startHandshake();

            assertThat(firstLine(tls.getInputStream())).startsWith(greeting());
        }
    }

    @Test
    default void theSessionsLogAndMdcShouldNameTheHeadersClient() throws Exception {
        U upstream = fixture().upstream();
        fixture().start(policy(TRUSTING_LOOPBACK), upstream);
        Logger relays = (Logger) LoggerFactory.getLogger("org.jamesproxy");
        Level previous = relays.getLevel();
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        relays.setLevel(Level.INFO);
        relays.addAppender(events);
        try (Socket client = greetedBehindTheProxy("192.0.2.10")) {
            assertThat(client).isNotNull();
        } finally {
            relays.detachAppender(events);
            relays.setLevel(previous);
        }

        assertThat(events.list).anySatisfy(event -> {
            assertThat(event.getMDCPropertyMap()).containsEntry("ip", "192.0.2.10");
            assertThat(event.getFormattedMessage()).contains("192.0.2.10");
        });
        assertThat(events.list).noneSatisfy(event -> assertThat(event.getMDCPropertyMap()).containsEntry("ip", "127.0.0.1"));
    }

    @Test
    default void anUntrustedPeerShouldBeClosedWithoutAWordEvenWithAValidHeader() throws Exception {
        U upstream = fixture().upstream();
        fixture().start(policy(TRUSTING_ANOTHER_NETWORK), upstream);

        String received = withRawClient(ProxyHeaders.v1("192.0.2.7", 40000, "127.0.0.1", 143),
            (command("a", firstCommand()) + "\r\n").getBytes(US_ASCII));

        assertThat(received).isEmpty();
        assertThat(upstream.acceptedConnections()).isZero();
        assertThat(fixture().metrics().countFor(refusals())).isEqualTo(1);
    }

    @Test
    default void aMissingHeaderShouldCloseTheConnectionWithoutAWord() throws Exception {
        U upstream = fixture().upstream();
        fixture().start(policy(TRUSTING_LOOPBACK), upstream);

        String received = withRawClient((command("a", firstCommand()) + "\r\n").getBytes(US_ASCII));

        assertThat(received).isEmpty();
        assertThat(upstream.acceptedConnections()).isZero();
        // Netty's decoder closes first, then reports the malformed header: counted just after the close.
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture().metrics().countFor(refusals()) == 1);
    }

    @Test
    default void aLocalHeaderShouldCloseTheConnection() throws Exception {
        U upstream = fixture().upstream();
        fixture().start(policy(TRUSTING_LOOPBACK), upstream);

        String received = withRawClient(ProxyHeaders.v2(false, "192.0.2.7", 40000, "127.0.0.1", 143));

        assertThat(received).isEmpty();
        assertThat(upstream.acceptedConnections()).isZero();
    }

    @Test
    default void aSilentTrustedPeerShouldBeClosedAfterTheHeaderTimeout() throws Exception {
        U upstream = fixture().upstream();
        fixture().start(policy(TRUSTING_LOOPBACK), upstream);
        long start = System.nanoTime();

        String received = withRawClient();

        assertThat(received).isEmpty();
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(900L, 8_000L);
        assertThat(upstream.acceptedConnections()).isZero();
    }

    @Test
    default void connectionLimitPerIpShouldCountTheClientsOfTheHeaderNotTheProxy() throws Exception {
        U upstream = fixture().upstream();
        fixture().start(policy(TRUSTING_LOOPBACK + "<connectionLimitPerIP>1</connectionLimitPerIP>"), upstream);
        try (Socket first = greetedBehindTheProxy("192.0.2.7");
             Socket other = greetedBehindTheProxy("192.0.2.8");
             Socket second = new Socket(InetAddress.getLoopbackAddress(), fixture().plainPort())) {
            assertThat(first).isNotNull();
            assertThat(other).as("another client behind the same proxy").isNotNull();
            second.setSoTimeout(10_000);
            second.getOutputStream().write(ProxyHeaders.v1("192.0.2.7", 40100, "198.51.100.1", 25));

            ByteArrayOutputStream received = new ByteArrayOutputStream();
            try {
                second.getInputStream().transferTo(received);
            } catch (SocketException e) {
                // reset after the close
            }
            assertThat(received.toString(US_ASCII)).as("the same client's second connection").isEmpty();
        }
    }

    /** A client behind the trusted proxy (a v1 header naming {@code source}), its greeting read. */
    private Socket greetedBehindTheProxy(String source) throws Exception {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), fixture().plainPort());
        client.setSoTimeout(10_000);
        client.getOutputStream().write(ProxyHeaders.v1(source, 40000, "198.51.100.1", 25));
        assertThat(firstLine(client.getInputStream())).startsWith(greeting());
        return client;
    }

    /** On the plain port: writes each chunk, then reads until the proxy closes (at most 10 s); returns what it said. */
    private String withRawClient(byte[]... chunks) throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), fixture().plainPort())) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            try {
                for (byte[] chunk : chunks) {
                    out.write(chunk);
                }
            } catch (SocketException e) {
                // already closed by the proxy: what it said (nothing) is read below
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            try {
                client.getInputStream().transferTo(received);
            } catch (SocketException e) {
                // reset after the close
            }
            return received.toString(US_ASCII);
        }
    }

    private static String firstLine(InputStream in) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        return line.toString(US_ASCII);
    }
}
