package org.jamesproxy.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.SmtpProxyFixture.opportunisticUpstreamXml;
import static org.jamesproxy.testing.SmtpProxyFixture.starttlsUpstreamXml;

import java.time.Duration;
import java.util.List;

import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.SmtpDialect;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.jamesproxy.testing.TestPki;
import org.jamesproxy.testing.UpstreamLegContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's leg to the real SMTP server: what every protocol shares is in {@link UpstreamLegContract} (with
 * {@code <tls>starttls</tls>} required); here the prelude's EHLO and the opportunistic mode, which falls back to clear
 * only when the upstream does not offer or refuses STARTTLS, never after a failed or tampered handshake.
 */
class SmtpProxyUpstreamLegTest implements UpstreamLegContract<FakeSmtpUpstream, SmtpTestClient>, SmtpDialect {
    private SmtpProxyFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new SmtpProxyFixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Override
    public SmtpProxyFixture fixture() {
        return fixture;
    }

    @Override
    public String unavailable() {
        return "421";
    }

    @Override
    public String greeting() {
        return "220";
    }

    @Override
    public String firstCommand() {
        return "MAIL FROM:<a@proxy.test>";
    }

    @Override
    public String startTlsVerb() {
        return "STARTTLS";
    }

    /** The proxy's prelude runs before the greeting: a plain client sees the refusal as well. */
    @Override
    public SmtpTestClient refusedClient() throws Exception {
        // On the plain port the proxy greets before any upstream exists; the first command opens the upstream leg,
        // and its failure is the answer to that command.
        SmtpTestClient client = fixture.plainClient();
        assertThat(client.reply()).startsWith("220 proxy.test");
        client.sendLine("EHLO client.test");
        return client;
    }

    @Override
    public FakeSmtpUpstream injectingAfterTheGoAhead(FakeSmtpUpstream upstream) {
        return upstream.startTlsInjection("250-injected\r\n250 AUTH PLAIN\r\n");
    }

    @Override
    public FakeSmtpUpstream refusingStartTls(FakeSmtpUpstream upstream) {
        return upstream.startTlsReply("454 4.7.0 TLS not available");
    }

    @Override
    public FakeSmtpUpstream notOfferingStartTls(FakeSmtpUpstream upstream) {
        return upstream.keywords(List.of("PIPELINING", "8BITMIME"));
    }

    @Override
    public FakeSmtpUpstream greetingWithAnError(FakeSmtpUpstream upstream) {
        return upstream.greeting("554 5.3.2 too busy");
    }

    @Override
    public FakeSmtpUpstream greetingWith(FakeSmtpUpstream upstream, String filler) {
        return upstream.greeting("220 " + filler);
    }

    @Override
    public List<String> upstreamLinesWithoutStartTls() {
        return List.of("EHLO proxy.test");
    }

    @Override
    public List<String> upstreamLinesBeforeTheHandshake() {
        return List.of("EHLO proxy.test", "STARTTLS");
    }

    @Override
    public Duration refusalOfADownUpstreamWithin() {
        return Duration.ofSeconds(5);
    }

    @Test
    void upstreamStartTlsShouldBeUsedAndVerifiedWhenOffered() throws Exception {
        FakeSmtpUpstream upstream = fixture.starttlsUpstream();
        fixture.start(policy("enabled", starttlsUpstreamXml(), ""), upstream);
        SmtpTestClient client = fixture.tlsClient();

        List<String> ehlo = client.greetAndEhlo();
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");

        assertThat(ehlo).anyMatch(line -> line.contains("AUTH"));
        // Two EHLO from the prelude (before and after TLS) and the client's.
        assertThat(upstream.received()).startsWith("EHLO proxy.test", "STARTTLS", "EHLO proxy.test", "EHLO client.test");
    }

    @Test
    void upstreamInjectionAfterItsStartTlsGoAheadShouldAbortWith421EvenWhenOpportunistic() throws Exception {
        FakeSmtpUpstream upstream = fixture.starttlsUpstream().startTlsInjection("250-injected\r\n250 AUTH PLAIN\r\n");
        fixture.start(policy("enabled", opportunisticUpstreamXml(), ""), upstream);

        SmtpTestClient client = refusedClient();

        assertThat(client.reply()).startsWith("421");
        assertThat(client.isClosedByPeer()).isTrue();
    }

    @Test
    void upstreamWithoutStartTlsShouldBeUsedInClearAndCountedWhenOpportunistic() throws Exception {
        FakeSmtpUpstream upstream = fixture.starttlsUpstream().keywords(List.of("PIPELINING", "8BITMIME"));
        fixture.start(policy("enabled", opportunisticUpstreamXml(), ""), upstream);
        SmtpTestClient client = fixture.plainClient();

        client.greetAndEhlo();

        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(fixture.metrics().countFor("smtpproxy-upstream-plaintext")).isEqualTo(1);
    }

    @Test
    void upstreamRefusingStartTlsShouldBeUsedInClearWhenOpportunistic() throws Exception {
        FakeSmtpUpstream upstream = fixture.starttlsUpstream().startTlsReply("454 4.7.0 TLS not available");
        fixture.start(policy("enabled", opportunisticUpstreamXml(), ""), upstream);
        SmtpTestClient client = fixture.plainClient();

        client.greetAndEhlo();

        assertThat(client.command("NOOP")).startsWith("250");
    }

    @Test
    void upstreamCertificateForAnotherHostShouldAbortWith421EvenWhenOpportunistic() throws Exception {
        FakeSmtpUpstream upstream = fixture.upstream()
            .startTlsContext(TestPki.serverContext(TestPki.shared().wrongHostCertificate()));
        fixture.start(policy("enabled", opportunisticUpstreamXml(), ""), upstream);

        assertThat(refusedClient().reply()).startsWith("421");
    }
}
