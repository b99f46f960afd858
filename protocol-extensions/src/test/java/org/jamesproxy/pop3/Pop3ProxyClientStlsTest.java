package org.jamesproxy.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.jamesproxy.testing.ClientStartTlsContract;
import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3Dialect;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.jamesproxy.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * STLS on the client leg: honest CAPA, no credentials in clear, and no plaintext carried into TLS (the attacks every
 * protocol shares: {@link ClientStartTlsContract}).
 */
class Pop3ProxyClientStlsTest implements ClientStartTlsContract<FakePop3Upstream, ImapTestClient>, Pop3Dialect {
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

    @Override
    public Pop3ProxyFixture fixture() {
        return fixture;
    }

    @Override
    public FakePop3Upstream upstream() {
        return upstream;
    }

    @Override
    public String startTlsVerb() {
        return "STLS";
    }

    @Override
    public String startTlsMetric() {
        return "stls";
    }

    @Override
    public String goAhead(String tag) {
        return "+OK";
    }

    @Override
    public String refusal(String tag) {
        return "-ERR";
    }

    /** USER would be relayed in clear under this policy: the injected one must still not be. */
    @Override
    public String injectionPolicy() {
        return policy("<allowPlaintextAuth>true</allowPlaintextAuth>");
    }

    @Override
    public String injectedCommand() {
        return "USER x";
    }

    @Override
    public String partialCommand() {
        return "USER al";
    }

    @Override
    public List<String> plaintextAfterTheGoAhead() {
        return List.of("NOOP", "USER alice");
    }

    @Override
    public List<String> answersToThePlaintext() {
        return List.of("+OK");
    }

    /** The prelude's CAPA. */
    @Override
    public List<String> upstreamLinesOfAReadyPlainClient() {
        return List.of("CAPA");
    }

    @Override
    public void logInInClear(ImapTestClient client) throws Exception {
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(client.sendLine("PASS secret").readLine()).startsWith("+OK");
    }

    private ImapTestClient plainClient() throws Exception {
        return readyPlainClient();
    }

    @Test
    void capaShouldOfferStlsAndHideEveryCredentialBeforeStls() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = plainClient();

        assertThat(client.sendLine("CAPA").readLine()).startsWith("+OK");
        assertThat(Pop3Responses.readListing(client)).containsExactly("TOP", "UIDL", "RESP-CODES", "STLS", "PIPELINING");
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
    void stlsShouldNotBeOfferedWhenTlsSupportIsDisabled() throws Exception {
        fixture.start(policy("disabled", "<tls>none</tls>", "<allowPlaintextAuth>true</allowPlaintextAuth>"), upstream);
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

    /** An upstream over implicit TLS, whose greeting's APOP challenge the proxy passes on. */
    private FakePop3Upstream implicitTlsUpstream() throws Exception {
        return fixture.implicitTlsUpstream(TestPki.serverContext(fixture.pki().upstreamCertificate()));
    }

    @Test
    void apopAndEveryAuthShouldBeRefusedBeforeStlsWithoutReachingTheUpstream() throws Exception {
        FakePop3Upstream tlsUpstream = implicitTlsUpstream();
        fixture.start(policy("enabled", Pop3ProxyFixture.implicitTlsUpstreamXml(), ""), tlsUpstream);
        ImapTestClient client = fixture.plainClient();

        assertThat(client.readLine()).isEqualTo("+OK proxy.test POP3 proxy ready");
        List<String> answers = List.of(
            client.sendLine("APOP alice c4c9334bac560ecc979e58001b3e22fb").readLine(),
            client.sendLine("AUTH CRAM-MD5").readLine(),
            client.sendLine("AUTH X-UNKNOWN-MECHANISM").readLine(),
            client.sendLine("AUTH").readLine(),
            client.sendLine("AUTH PLAIN AGFsaWNlAHNlY3JldA==").readLine(),
            client.sendLine("AUTH CRAM-MD5 =").readLine());
        String stat = client.sendLine("NOOP").readLine();

        assertThat(answers).allSatisfy(answer -> assertThat(answer).startsWith("-ERR Use STLS"));
        assertThat(stat).startsWith("+OK");
        assertThat(tlsUpstream.receivedLines()).containsExactly("CAPA", "NOOP");
        assertThat(tlsUpstream.receivedCommand("APOP")).isFalse();
        assertThat(tlsUpstream.receivedCommand("AUTH")).isFalse();
    }

    /**
     * The plain port's greeting is the proxy's, sent before any upstream exists: it has no challenge, so APOP is not
     * available there even after STLS (the implicit-TLS port passes the upstream's on: Pop3ProxyRelayTest).
     */
    @Test
    void apopShouldNotBeAvailableOnThePlainPortEvenAfterStls() throws Exception {
        FakePop3Upstream tlsUpstream = implicitTlsUpstream();
        fixture.start(policy("enabled", Pop3ProxyFixture.implicitTlsUpstreamXml(), ""), tlsUpstream);
        ImapTestClient client = fixture.plainClient();
        client.readLine();

        assertThat(client.sendLine("STLS").readLine()).startsWith("+OK");
        client.startTls(fixture.clientTlsContext());

        assertThat(client.sendLine("APOP alice c4c9334bac560ecc979e58001b3e22fb").readLine()).startsWith("-ERR APOP is not available");
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(tlsUpstream.receivedCommand("APOP")).isFalse();
    }

    @Test
    void apopChallengeShouldNotBeOfferedWhenTheUpstreamGreetedInClear() throws Exception {
        FakePop3Upstream stlsUpstream = fixture.starttlsUpstream();
        fixture.start(policy("enabled", Pop3ProxyFixture.starttlsUpstreamXml(), ""), stlsUpstream);
        ImapTestClient client = fixture.tlsClient();

        assertThat(client.readLine()).isEqualTo("+OK proxy.test POP3 proxy ready");
        assertThat(client.sendLine("APOP alice c4c9334bac560ecc979e58001b3e22fb").readLine()).startsWith("-ERR");
        assertThat(stlsUpstream.receivedCommand("APOP")).isFalse();
    }

    @Test
    void apopChallengeShouldNotBeOfferedFromAPlainLoopbackUpstream() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.tlsClient();

        assertThat(client.readLine()).isEqualTo("+OK proxy.test POP3 proxy ready");
    }
}
