package org.jamesproxy.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.commons.net.pop3.ExtendedPOP3Client;
import org.apache.commons.net.pop3.POP3Client;
import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.jamesproxy.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * commons-net's POP3 client on the plain port of a policy that does not allow plaintext authentication: APOP (the
 * client computes the digest over the challenge our greeting passed on) and AUTH CRAM-MD5 fail, and the scripted
 * upstream never receives them.
 */
class Pop3ProxyRealClientCredentialsTest {
    private Pop3ProxyFixture fixture;
    private FakePop3Upstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Pop3ProxyFixture();
        upstream = fixture.implicitTlsUpstream(TestPki.serverContext(fixture.pki().upstreamCertificate()));
        fixture.start(Pop3ProxyFixture.policy("enabled", Pop3ProxyFixture.implicitTlsUpstreamXml(), ""), upstream);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void apopOfCommonsNetShouldBeRefusedBeforeStls() throws Exception {
        POP3Client client = new POP3Client();
        client.connect("127.0.0.1", fixture.plainPort());
        try {
            // The plain port's greeting is the proxy's own, without a challenge; the client computes a digest anyway.
            assertThat(client.getReplyString()).doesNotContain("<");

            assertThat(client.login("alice", FakePop3Upstream.TIMESTAMP, "secret")).isFalse();
            assertThat(client.getReplyString()).startsWith("-ERR Use STLS");
        } finally {
            client.disconnect();
        }
        assertThat(upstream.receivedCommand("APOP")).isFalse();
    }

    @Test
    void authCramMd5OfCommonsNetShouldBeRefusedBeforeStls() throws Exception {
        ExtendedPOP3Client client = new ExtendedPOP3Client();
        client.connect("127.0.0.1", fixture.plainPort());
        try {
            assertThat(client.auth(ExtendedPOP3Client.AUTH_METHOD.CRAM_MD5, "alice", "secret")).isFalse();
            assertThat(client.getReplyString()).startsWith("-ERR Use STLS");
            assertThat(client.auth(ExtendedPOP3Client.AUTH_METHOD.PLAIN, "alice", "secret")).isFalse();
        } finally {
            client.disconnect();
        }
        assertThat(upstream.receivedCommand("AUTH")).isFalse();
        assertThat(upstream.receivedLines()).doesNotContain("AUTH CRAM-MD5", "AUTH PLAIN");
    }
}
