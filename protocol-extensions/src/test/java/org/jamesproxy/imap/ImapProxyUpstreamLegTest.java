package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.ImapProxyFixture.implicitTlsUpstreamXml;
import static org.jamesproxy.testing.ImapProxyFixture.starttlsUpstreamXml;

import java.time.Duration;
import java.util.List;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapDialect;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.jamesproxy.testing.TestPki;
import org.jamesproxy.testing.UpstreamLegContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's leg to the real server: what every protocol shares is in {@link UpstreamLegContract}; here IMAP's own
 * (PREAUTH, a BAD answer to STARTTLS, the capabilities learnt over TLS).
 */
class ImapProxyUpstreamLegTest implements UpstreamLegContract<FakeImapUpstream, ImapTestClient>, ImapDialect {
    private static final String UNAVAILABLE = "* BYE [UNAVAILABLE]";

    private ImapProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new ImapProxyFixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Override
    public ImapProxyFixture fixture() {
        return fixture;
    }

    @Override
    public String unavailable() {
        return UNAVAILABLE;
    }

    @Override
    public String greeting() {
        return "* OK";
    }

    @Override
    public String firstCommand() {
        return "LOGIN user secret";
    }

    @Override
    public String startTlsVerb() {
        return "STARTTLS";
    }

    @Override
    public FakeImapUpstream injectingAfterTheGoAhead(FakeImapUpstream upstream) {
        return upstream.startTlsInjection("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n");
    }

    /** With NO; BAD: {@link #clientShouldGetByeWhenTheUpstreamRefusesStartTlsWithBad()}. */
    @Override
    public FakeImapUpstream refusingStartTls(FakeImapUpstream upstream) {
        return upstream.startTlsAnswer(FakeImapUpstream.StartTlsAnswer.NO);
    }

    @Override
    public FakeImapUpstream notOfferingStartTls(FakeImapUpstream upstream) {
        return upstream.greeting("* OK upstream ready").capabilities("IMAP4rev1 AUTH=PLAIN");
    }

    @Override
    public FakeImapUpstream greetingWithAnError(FakeImapUpstream upstream) {
        return upstream.greeting("* BYE too busy");
    }

    @Override
    public FakeImapUpstream greetingWith(FakeImapUpstream upstream, String filler) {
        return upstream.greeting("* OK " + filler);
    }

    @Override
    public List<String> upstreamLinesWithoutStartTls() {
        return List.of("JMP0 CAPABILITY");
    }

    /** The greeting carries the capabilities: STARTTLS comes first. */
    @Override
    public List<String> upstreamLinesBeforeTheHandshake() {
        return List.of("JMP1 STARTTLS");
    }

    @Override
    public Duration refusalOfADownUpstreamWithin() {
        return Duration.ofSeconds(2);
    }

    @Test
    void starttlsUpstreamShouldBeUsableWhenEverythingIsRight() throws Exception {
        FakeImapUpstream upstream = fixture.starttlsUpstream();
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);
        ImapTestClient client = fixture.tlsClient();

        assertThat(client.readLine()).startsWith("* OK");
        assertThat(client.sendLine("a LOGIN user secret").readLine()).startsWith("a OK");
        assertThat(upstream.receivedLines()).containsExactly("JMP1 STARTTLS", "JMP2 CAPABILITY", "a LOGIN user secret");
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamGreetsWithPreauth() throws Exception {
        FakeImapUpstream upstream = fixture.starttlsUpstream().greeting("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome");
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
        assertThat(upstream.receivedCommand("STARTTLS")).isFalse();
    }

    @Test
    void clientShouldGetByeWhenTheUpstreamRefusesStartTlsWithBad() throws Exception {
        FakeImapUpstream upstream = fixture.starttlsUpstream().startTlsAnswer(FakeImapUpstream.StartTlsAnswer.BAD);
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);

        assertRefused(upstream);
    }

    @Test
    void clientShouldSeeOnlyTheCapabilitiesLearntOverTls() throws Exception {
        FakeImapUpstream upstream = fixture.starttlsUpstream()
            .greeting("* OK [CAPABILITY IMAP4rev1 STARTTLS MOVE QUOTA AUTH=PLAIN] before TLS")
            .tlsCapabilities("IMAP4rev1 IDLE NAMESPACE AUTH=XOAUTH2");
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);
        ImapTestClient client = fixture.tlsClient();

        String greeting = client.readLine();

        int start = greeting.indexOf("[CAPABILITY ") + "[CAPABILITY ".length();
        List<String> capabilities = List.of(greeting.substring(start, greeting.indexOf(']')).split(" "));
        assertThat(capabilities).contains("IMAP4rev1", "IDLE", "NAMESPACE", "AUTH=XOAUTH2")
            .doesNotContain("MOVE", "QUOTA", "AUTH=PLAIN", "STARTTLS");
    }

    @Test
    void untaggedDataRightAfterAnImplicitTlsGreetingShouldNotReachTheClientBeforeLogin() throws Exception {
        FakeImapUpstream upstream = fixture.implicitTlsUpstream(TestPki.serverContext(fixture.pki().upstreamCertificate()))
            .greeting("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n* OK [ALERT] injected\r\n* 3 EXISTS\r\n"
                + "* 1 FETCH (BODY[] {7}\r\ninject!)");
        fixture.start(policy("enabled", implicitTlsUpstreamXml(), ""), upstream);
        ImapTestClient client = fixture.tlsClient();

        String greeting = client.readLine();
        List<String> noop = client.sendLine("a NOOP").readUntilTagged("a");
        List<String> login = client.sendLine("b LOGIN user secret").readUntilTagged("b");

        assertThat(greeting).startsWith("* OK [CAPABILITY ");
        assertThat(noop).containsExactly("a OK NOOP completed");
        assertThat(login).hasSize(1).first().asString().startsWith("b OK");
    }
}
