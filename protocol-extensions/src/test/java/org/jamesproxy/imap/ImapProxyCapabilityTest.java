package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.testing.ImapProxyFixture.policy;

import java.util.List;

import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImapProxyCapabilityTest {
    private static final String RICH_CAPABILITIES =
        "IMAP4rev1 STARTTLS LOGINDISABLED LITERAL+ SASL-IR IDLE MOVE AUTH=PLAIN AUTH=XOAUTH2 COMPRESS=DEFLATE BINARY "
            + "LOGIN-REFERRALS X-UNKNOWN";

    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream()
            .greeting("* OK [CAPABILITY " + RICH_CAPABILITIES + "] upstream ready")
            .capabilities(RICH_CAPABILITIES);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private static List<String> capabilitiesOf(String line) {
        int start = line.indexOf("[CAPABILITY ");
        int end = line.indexOf(']', start);
        return List.of(line.substring(start + "[CAPABILITY ".length(), end).split(" "));
    }

    private static List<String> untaggedCapabilities(List<String> responses) {
        return responses.stream()
            .filter(line -> line.startsWith("* CAPABILITY "))
            .findFirst()
            .map(line -> List.of(line.substring("* CAPABILITY ".length()).split(" ")))
            .orElseThrow();
    }

    /**
     * On the plain port the proxy greets before any upstream exists: only what it vouches for itself, IMAP4rev1 and
     * the client leg's STARTTLS / LOGINDISABLED; the upstream's extensions come with CAPABILITY.
     */
    @Test
    void greetingShouldOfferStartTlsAndLoginDisabledOnThePlainPort() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.plainClient();

        String greeting = client.readLine();
        List<String> answer = client.sendLine("c CAPABILITY").readUntilTagged("c");

        assertThat(greeting).startsWith("* OK [CAPABILITY ");
        assertThat(capabilitiesOf(greeting)).containsExactly("IMAP4rev1", "STARTTLS", "LOGINDISABLED");
        assertThat(untaggedCapabilities(answer))
            .contains("IMAP4rev1", "STARTTLS", "LOGINDISABLED", "IDLE", "LITERAL+")
            .doesNotContain("COMPRESS=DEFLATE", "BINARY", "LOGIN-REFERRALS", "X-UNKNOWN", "AUTH=PLAIN", "AUTH=XOAUTH2")
            .doesNotHaveDuplicates();
    }

    @Test
    void capabilityCommandShouldBeRewrittenOnThePlainPort() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.plainClient();
        client.readLine();

        List<String> responses = client.sendLine("a CAPABILITY").readUntilTagged("a");

        assertThat(untaggedCapabilities(responses))
            .contains("IMAP4rev1", "STARTTLS", "LOGINDISABLED", "MOVE")
            .doesNotContain("COMPRESS=DEFLATE", "BINARY", "LOGIN-REFERRALS", "AUTH=PLAIN")
            .doesNotHaveDuplicates();
        assertThat(responses.get(responses.size() - 1)).startsWith("a OK");
    }

    @Test
    void greetingShouldKeepAuthMechanismsAndOmitStartTlsOnTheImplicitTlsPort() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.tlsClient();

        String greeting = client.readLine();

        assertThat(capabilitiesOf(greeting))
            .contains("IMAP4rev1", "AUTH=PLAIN", "AUTH=XOAUTH2", "SASL-IR", "IDLE")
            .doesNotContain("STARTTLS", "LOGINDISABLED", "COMPRESS=DEFLATE", "BINARY", "LOGIN-REFERRALS");
    }

    @Test
    void capabilityCommandShouldKeepAuthMechanismsAfterStartTls() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.plainClient();
        client.readLine();
        assertThat(client.sendLine("a STARTTLS").readLine()).startsWith("a OK");
        client.startTls(fixture.clientTlsContext());

        List<String> responses = client.sendLine("b CAPABILITY").readUntilTagged("b");

        assertThat(untaggedCapabilities(responses))
            .contains("IMAP4rev1", "AUTH=PLAIN")
            .doesNotContain("STARTTLS", "LOGINDISABLED", "COMPRESS=DEFLATE");
    }

    @Test
    void loginResponseCapabilityCodeShouldBeRewritten() throws Exception {
        upstream.loginCapabilityCode("[CAPABILITY IMAP4rev1 IDLE MOVE COMPRESS=DEFLATE BINARY AUTH=PLAIN STARTTLS]");
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();

        String tagged = client.sendLine("a LOGIN user secret").readLine();

        assertThat(tagged).startsWith("a OK [CAPABILITY ");
        assertThat(capabilitiesOf(tagged))
            .contains("IMAP4rev1", "IDLE", "MOVE")
            .doesNotContain("COMPRESS=DEFLATE", "BINARY", "AUTH=PLAIN", "STARTTLS", "LOGINDISABLED");
    }

    @Test
    void loginShouldBeRefusedWithPrivacyRequiredOnThePlainPortBeforeStartTls() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.plainClient();
        client.readLine();

        String answer = client.sendLine("a LOGIN user secret").readLine();
        String next = client.sendLine("b NOOP").readLine();

        assertThat(answer).startsWith("a NO [PRIVACYREQUIRED]");
        assertThat(next).startsWith("b OK");
        assertThat(upstream.receivedCommand("LOGIN")).isFalse();
    }

    @Test
    void authenticateShouldBeRefusedWithPrivacyRequiredOnThePlainPortBeforeStartTls() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.plainClient();
        client.readLine();

        String answer = client.sendLine("a AUTHENTICATE PLAIN AHVzZXIAc2VjcmV0").readLine();
        String next = client.sendLine("b NOOP").readLine();

        assertThat(answer).startsWith("a NO [PRIVACYREQUIRED]");
        assertThat(next).startsWith("b OK");
        assertThat(upstream.receivedCommand("AUTHENTICATE")).isFalse();
    }

    @Test
    void loginShouldBeRelayedOnThePlainPortWhenPlaintextAuthIsAllowed() throws Exception {
        fixture.start(policy("<allowPlaintextAuth>true</allowPlaintextAuth>"), upstream);
        ImapTestClient client = fixture.plainClient();
        String greeting = client.readLine();
        List<String> capabilities = untaggedCapabilities(client.sendLine("c CAPABILITY").readUntilTagged("c"));

        String answer = client.sendLine("a LOGIN user secret").readLine();

        assertThat(capabilitiesOf(greeting)).contains("STARTTLS").doesNotContain("LOGINDISABLED");
        assertThat(capabilities).contains("STARTTLS", "AUTH=PLAIN").doesNotContain("LOGINDISABLED");
        assertThat(answer).startsWith("a OK");
        assertThat(upstream.receivedLines()).contains("a LOGIN user secret");
    }

    @Test
    void loginShouldBeRelayedAfterStartTls() throws Exception {
        fixture.start(policy(""), upstream);
        ImapTestClient client = fixture.plainClient();
        client.readLine();
        client.sendLine("a STARTTLS").readLine();
        client.startTls(fixture.clientTlsContext());

        String answer = client.sendLine("b LOGIN user secret").readLine();

        assertThat(answer).startsWith("b OK");
        assertThat(upstream.receivedLines()).contains("b LOGIN user secret");
    }

    @Test
    void plainPortShouldNotOfferStartTlsWhenTlsSupportIsDisabled() throws Exception {
        fixture.start(ImapProxyFixture.policy("disabled", "<tls>none</tls>", "<allowPlaintextAuth>true</allowPlaintextAuth>"), upstream);
        ImapTestClient client = fixture.plainClient();

        String greeting = client.readLine();
        String answer = client.sendLine("a STARTTLS").readLine();

        assertThat(capabilitiesOf(greeting)).doesNotContain("STARTTLS", "LOGINDISABLED");
        assertThat(answer).startsWith("a BAD");
    }
}
