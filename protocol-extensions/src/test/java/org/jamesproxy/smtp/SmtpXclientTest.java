package org.jamesproxy.smtp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.ProxyHeaders;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code <identityCommand>xclient</identityCommand>}: the upstream (Postfix with smtpd_authorized_xclient_hosts)
 * learns the client's address with XCLIENT before any client command, and is greeted again with EHLO; the client
 * never sees that exchange. An upstream that does not offer XCLIENT ADDR, or refuses it, fails the leg (421).
 */
class SmtpXclientTest {
    private static final List<String> WITH_XCLIENT = withKeyword("XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT");

    private SmtpProxyFixture fixture;

    private static List<String> withKeyword(String keyword) {
        List<String> keywords = new ArrayList<>(FakeSmtpUpstream.DEFAULT_KEYWORDS);
        keywords.add(keyword);
        return keywords;
    }

    @BeforeEach
    void setUp() {
        fixture = new SmtpProxyFixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private static String policy(String extra) {
        return SmtpProxyFixture.policy("enabled", "<tls>none</tls><identityCommand>xclient</identityCommand>", extra);
    }

    @Test
    void theUpstreamShouldLearnTheClientWithXclientThenBeGreetedAgain() throws Exception {
        FakeSmtpUpstream upstream = fixture.upstream().keywords(WITH_XCLIENT);
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.plainClient();

        List<String> ehlo = client.greetAndEhlo();
        String mail = client.command("MAIL FROM:<a@proxy.test>");

        int clientPort = client.socket().getLocalPort();
        assertThat(upstream.receivedLines()).containsSubsequence("EHLO proxy.test",
            "XCLIENT NAME=[UNAVAILABLE] ADDR=127.0.0.1 PORT=" + clientPort + " DESTADDR=127.0.0.1 DESTPORT=" + fixture.plainPort(),
            "EHLO proxy.test", "MAIL FROM:<a@proxy.test>");
        assertThat(mail).startsWith("250");
        assertThat(String.join("\n", ehlo)).doesNotContain("XCLIENT");
    }

    @Test
    void behindATrustedProxyXclientShouldNameTheHeadersClient() throws Exception {
        FakeSmtpUpstream upstream = fixture.upstream().keywords(withKeyword("XCLIENT ADDR PORT"));
        fixture.start(policy("<acceptProxyProtocol><trustedProxies>127.0.0.1</trustedProxies></acceptProxyProtocol>"), upstream);
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), fixture.plainPort())) {
            OutputStream out = client.getOutputStream();
            out.write(ProxyHeaders.v1("192.0.2.7", 40000, "198.51.100.1", 587));
            out.write("EHLO client.test\r\n".getBytes(US_ASCII));

            await().atMost(Duration.ofSeconds(10))
                .until(() -> upstream.receivedLines().contains("XCLIENT ADDR=192.0.2.7 PORT=40000"));
        }
    }

    @Test
    void anUpstreamWithoutXclientShouldFailTheLeg() throws Exception {
        FakeSmtpUpstream upstream = fixture.upstream();
        fixture.start(policy(""), upstream);

        String received = afterTheFirstCommand();

        assertThat(received).startsWith("421");
        assertThat(upstream.receivedLines()).noneMatch(line -> line.startsWith("XCLIENT") || line.startsWith("MAIL"));
    }

    @Test
    void anUpstreamRefusingXclientShouldFailTheLeg() throws Exception {
        FakeSmtpUpstream upstream = fixture.upstream().keywords(WITH_XCLIENT).xclientReply("550 5.7.0 Insufficient authorization");
        fixture.start(policy(""), upstream);

        String received = afterTheFirstCommand();

        assertThat(received).startsWith("421").doesNotContain("Insufficient");
    }

    /**
     * The plain port greets in the proxy's own words and opens the upstream leg at the client's first command: what
     * the client gets for it (EHLO) until the close.
     */
    private String afterTheFirstCommand() throws Exception {
        SmtpTestClient client = fixture.plainClient();
        assertThat(client.readReply()).last().asString().startsWith("220 ");
        client.sendLine("EHLO client.test");
        return client.readUntilClosed();
    }
}
