package org.jamesproxy.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.Pop3ProxyFixture.policy;

import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** STLS on the client leg: honest CAPA, no credentials in clear, and no plaintext carried into TLS. */
class Pop3ProxyClientStlsTest {
    private Pop3ProxyFixture fixture;
    private FakePop3Upstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Pop3ProxyFixture();
        upstream = fixture.upstream();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private ImapTestClient plainClient() throws Exception {
        ImapTestClient client = fixture.plainClient();
        assertThat(client.readLine()).startsWith("+OK");
        return client;
    }

    @Test
    void capaShouldOfferStlsAndHideCleartextCredentialsBeforeStls() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = plainClient();

        assertThat(client.sendLine("CAPA").readLine()).startsWith("+OK");
        assertThat(Pop3Responses.readListing(client)).containsExactly("TOP", "UIDL", "SASL CRAM-MD5", "RESP-CODES", "STLS",
            "PIPELINING");
    }

    @Test
    void userShouldBeRefusedBeforeStlsWithoutReachingTheUpstream() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = plainClient();

        assertThat(client.sendLine("USER alice").readLine()).startsWith("-ERR");
        assertThat(client.sendLine("PASS secret").readLine()).startsWith("-ERR");
        assertThat(client.sendLine("AUTH PLAIN AGFsaWNlAHNlY3JldA==").readLine()).startsWith("-ERR");
        assertThat(upstream.receivedLines()).containsExactly("CAPA");
    }

    @Test
    void userShouldBeRelayedInClearWhenThePolicyAllowsPlaintextAuth() throws Exception {
        fixture.start(policy("<allowPlaintextAuth>true</allowPlaintextAuth>"), upstream);
        ImapTestClient client = plainClient();

        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(client.sendLine("PASS secret").readLine()).startsWith("+OK");
    }

    @Test
    void stlsShouldUpgradeTheClientLegAndThenAllowLogin() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = plainClient();

        assertThat(client.sendLine("STLS").readLine()).startsWith("+OK");
        client.startTls(fixture.clientTlsContext());
        assertThat(client.sendLine("CAPA").readLine()).startsWith("+OK");
        assertThat(Pop3Responses.readListing(client)).contains("USER", "SASL PLAIN LOGIN CRAM-MD5").doesNotContain("STLS");
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(client.sendLine("PASS secret").readLine()).startsWith("+OK");
        assertThat(fixture.metrics().countFor("pop3proxy-stls")).isEqualTo(1);
        assertThat(upstream.receivedCommand("STLS")).isFalse();
    }

    @Test
    void pipelinedCommandAfterStlsShouldBeRefusedAndTheConnectionClosed() throws Exception {
        fixture.start(policy("<allowPlaintextAuth>true</allowPlaintextAuth>"), upstream);
        ImapTestClient client = plainClient();

        client.send("STLS\r\nUSER x\r\n");

        assertThat(client.readUntilClosed()).startsWith("-ERR").doesNotContain("+OK");
        assertThat(upstream.receivedCommand("USER")).isFalse();
        assertThat(fixture.metrics().countFor("pop3proxy-stls-injection-refused")).isEqualTo(1);
    }

    @Test
    void stlsShouldBeRefusedOnTheImplicitTlsPort() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();

        assertThat(client.sendLine("STLS").readLine()).startsWith("-ERR");
        assertThat(client.sendLine("NOOP").readLine()).startsWith("+OK");
    }

    @Test
    void secondStlsShouldBeRefused() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = plainClient();
        client.sendLine("STLS").readLine();
        client.startTls(fixture.clientTlsContext());

        assertThat(client.sendLine("STLS").readLine()).startsWith("-ERR");
    }

    @Test
    void stlsShouldBeRefusedAfterLogin() throws Exception {
        fixture.start(policy("<allowPlaintextAuth>true</allowPlaintextAuth>"), upstream);
        ImapTestClient client = plainClient();
        client.sendLine("USER alice").readLine();
        client.sendLine("PASS secret").readLine();

        assertThat(client.sendLine("STLS").readLine()).startsWith("-ERR");
    }

    @Test
    void stlsShouldNotBeOfferedWhenTlsSupportIsDisabled() throws Exception {
        fixture.start(Pop3ProxyFixture.policy("disabled", "<tls>none</tls>", "<allowPlaintextAuth>true</allowPlaintextAuth>"), upstream);
        ImapTestClient client = plainClient();

        assertThat(client.sendLine("CAPA").readLine()).startsWith("+OK");
        assertThat(Pop3Responses.readListing(client)).doesNotContain("STLS");
        assertThat(client.sendLine("STLS").readLine()).startsWith("-ERR");
    }

    @Test
    void apopShouldBeRefusedWhenTheUpstreamGreetingHasNoTimestamp() throws Exception {
        upstream.greeting("+OK plain greeting");
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.tlsClient();

        assertThat(client.readLine()).isEqualTo("+OK proxy.test POP3 proxy ready");
        assertThat(client.sendLine("APOP alice c4c9334bac560ecc979e58001b3e22fb").readLine()).startsWith("-ERR");
        assertThat(upstream.receivedCommand("APOP")).isFalse();
    }
}
