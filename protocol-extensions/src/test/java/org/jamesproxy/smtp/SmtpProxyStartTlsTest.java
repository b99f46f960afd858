package org.jamesproxy.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.jamesproxy.testing.ClientStartTlsContract;
import org.jamesproxy.testing.FakeSmtpUpstream;
import org.jamesproxy.testing.SmtpDialect;
import org.jamesproxy.testing.SmtpProxyFixture;
import org.jamesproxy.testing.SmtpTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * STARTTLS on the client leg against the attacks of the STARTTLS studies (CVE-2011-0411 command injection): nothing
 * received in clear after STARTTLS is executed, in clear or inside TLS, including after a completed DATA transaction
 * (the case James 3.8.1's own server gets wrong). What every protocol shares: {@link ClientStartTlsContract}; the
 * upstream leg: {@link SmtpProxyUpstreamLegTest}.
 */
class SmtpProxyStartTlsTest implements ClientStartTlsContract<FakeSmtpUpstream, SmtpTestClient>, SmtpDialect {
    private SmtpProxyFixture fixture;
    private FakeSmtpUpstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new SmtpProxyFixture();
        upstream = fixture.upstream();
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
    public FakeSmtpUpstream upstream() {
        return upstream;
    }

    @Override
    public String startTlsVerb() {
        return "STARTTLS";
    }

    @Override
    public String startTlsMetric() {
        return "starttls";
    }

    @Override
    public String goAhead(String tag) {
        return "220";
    }

    @Override
    public String refusal(String tag) {
        return "503";
    }

    @Override
    public String injectionRefusal(String tag) {
        return "554 5.5.1";
    }

    @Override
    public String injectedCommand() {
        return "RSET";
    }

    @Override
    public String partialCommand() {
        return "MAIL FR";
    }

    @Override
    public List<String> plaintextAfterTheGoAhead() {
        return List.of("NOOP", "MAIL FROM:<a@proxy.test>");
    }

    @Override
    public List<String> answersToThePlaintext() {
        return List.of("250");
    }

    /** The prelude's EHLO and the client's, relayed. */
    @Override
    public List<String> upstreamLinesOfAReadyPlainClient() {
        return List.of("EHLO proxy.test", "EHLO client.test");
    }

    @Override
    public void logInInClear(SmtpTestClient client) throws Exception {
        assertThat(client.command("AUTH PLAIN AGFsaWNlAHNlY3JldA==")).startsWith("235");
    }

    /** STARTTLS resets the session: EHLO again. */
    @Override
    public void afterUpgrade(SmtpTestClient client) throws Exception {
        client.sendLine("EHLO client.test");
        client.readReply();
    }

    @Test
    void startTlsShouldBeRefusedWhenCommandsArePipelinedBehindItAfterACompletedDataTransaction() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();
        client.command("MAIL FROM:<a@proxy.test>");
        client.command("RCPT TO:<b@proxy.test>");
        client.command("DATA");
        client.send("Subject: x\r\n\r\nbody\r\n.\r\n");
        assertThat(client.reply()).startsWith("250");

        client.send("STARTTLS\r\nNOOP\r\n");

        assertThat(client.reply()).startsWith("554 5.5.1");
        assertThat(client.isClosedByPeer()).isTrue();
        assertThat(upstream.receivedCommand("NOOP")).isFalse();
    }

    @Test
    void startTlsShouldBeRefusedWhenItIsPipelinedBehindAMessageAndFollowedByACommand() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();
        client.send("MAIL FROM:<a@proxy.test>\r\nRCPT TO:<b@proxy.test>\r\nDATA\r\n");
        client.reply();
        client.reply();
        assertThat(client.reply()).startsWith("354");

        client.send("Subject: x\r\n\r\nbody\r\n.\r\nSTARTTLS\r\nNOOP\r\n");

        assertThat(client.reply()).startsWith("250");
        assertThat(client.reply()).startsWith("554 5.5.1");
        assertThat(client.isClosedByPeer()).isTrue();
        assertThat(upstream.receivedCommand("NOOP")).isFalse();
    }

    @Test
    void startTlsShouldResetTheSessionSoThatEhloIsNeededAgain() throws Exception {
        fixture.start(policy(""), upstream);
        SmtpTestClient client = fixture.plainClient();
        client.greetAndEhlo();

        assertThat(client.command("STARTTLS")).startsWith("220");
        client.startTls(fixture.clientTlsContext());

        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("503 5.5.1");
        client.sendLine("EHLO client.test");
        List<String> ehlo = client.readReply();
        assertThat(ehlo).noneMatch(line -> line.contains("STARTTLS")).anyMatch(line -> line.contains("AUTH PLAIN"));
        assertThat(client.command("STARTTLS")).startsWith("503");
        assertThat(client.command("MAIL FROM:<a@proxy.test>")).startsWith("250");
        assertThat(fixture.metrics().countFor("smtpproxy-starttls")).isEqualTo(1);
    }

    @Test
    void plainOnlyPolicyShouldNotOfferStartTls() throws Exception {
        fixture.start(policy("disabled", "<tls>none</tls>", ""), upstream);
        SmtpTestClient client = fixture.plainClient();

        assertThat(client.greetAndEhlo()).noneMatch(line -> line.contains("STARTTLS"));
        assertThat(client.command("STARTTLS")).startsWith("502");
        assertThatThrownBy(() -> fixture.tlsPort()).isInstanceOf(IllegalStateException.class);
    }
}
