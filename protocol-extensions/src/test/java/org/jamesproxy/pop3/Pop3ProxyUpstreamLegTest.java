package org.jamesproxy.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.Pop3ProxyFixture.starttlsUpstreamXml;

import java.time.Duration;
import java.util.List;

import org.jamesproxy.testing.FakePop3Upstream;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.Pop3Dialect;
import org.jamesproxy.testing.Pop3ProxyFixture;
import org.jamesproxy.testing.UpstreamLegContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's leg to the real POP3 server: what every protocol shares is in {@link UpstreamLegContract}; here the
 * capabilities relearnt over TLS.
 */
class Pop3ProxyUpstreamLegTest implements UpstreamLegContract<FakePop3Upstream, ImapTestClient>, Pop3Dialect {
    private static final String UNAVAILABLE = "-ERR [SYS/TEMP]";

    private Pop3ProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new Pop3ProxyFixture();
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
    public String unavailable() {
        return UNAVAILABLE;
    }

    @Override
    public String greeting() {
        return "+OK";
    }

    @Override
    public String firstCommand() {
        return "USER alice";
    }

    @Override
    public String startTlsVerb() {
        return "STLS";
    }

    @Override
    public FakePop3Upstream injectingAfterTheGoAhead(FakePop3Upstream upstream) {
        return upstream.stlsInjection("+OK injected\r\n");
    }

    @Override
    public FakePop3Upstream refusingStartTls(FakePop3Upstream upstream) {
        return upstream.refuseStls();
    }

    @Override
    public FakePop3Upstream notOfferingStartTls(FakePop3Upstream upstream) {
        return upstream.capabilities(List.of("TOP", "USER", "UIDL"));
    }

    @Override
    public FakePop3Upstream greetingWithAnError(FakePop3Upstream upstream) {
        return upstream.greeting("-ERR too busy");
    }

    @Override
    public FakePop3Upstream greetingWith(FakePop3Upstream upstream, String filler) {
        return upstream.greeting("+OK " + filler);
    }

    @Override
    public List<String> upstreamLinesWithoutStartTls() {
        return List.of("CAPA");
    }

    @Override
    public List<String> upstreamLinesBeforeTheHandshake() {
        return List.of("CAPA", "STLS");
    }

    @Override
    public Duration refusalOfADownUpstreamWithin() {
        return Duration.ofSeconds(5);
    }

    @Test
    void stlsUpstreamShouldBeUsableAndItsCapabilitiesRelearntOverTls() throws Exception {
        FakePop3Upstream upstream = fixture.starttlsUpstream()
            .tlsCapabilities(List.of("TOP", "USER", "SASL PLAIN", "UIDL"));
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);
        ImapTestClient client = fixture.tlsClient();

        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.sendLine("CAPA").readLine()).startsWith("+OK");
        assertThat(Pop3Responses.readListing(client)).containsExactly("TOP", "USER", "SASL PLAIN", "UIDL", "PIPELINING");
        assertThat(client.sendLine("USER alice").readLine()).startsWith("+OK");
        assertThat(upstream.receivedLines()).containsExactly("CAPA", "STLS", "CAPA", "CAPA", "USER alice");
    }
}
