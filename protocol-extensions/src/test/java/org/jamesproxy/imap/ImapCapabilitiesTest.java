package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImapCapabilitiesTest {
    private static final String UPSTREAM = "IMAP4rev1 LITERAL+ SASL-IR STARTTLS LOGINDISABLED AUTH=PLAIN AUTH=XOAUTH2 "
        + "COMPRESS=DEFLATE BINARY IDLE LOGIN-REFERRALS UNAUTHENTICATE X-SECRET-EXTENSION MOVE";

    private static ImapCapabilities.ClientLeg leg(boolean tls, boolean startTlsOffered, boolean authenticated, boolean plaintextAllowed) {
        return new ImapCapabilities.ClientLeg(tls, startTlsOffered, authenticated, plaintextAllowed);
    }

    @Test
    void plainLegBeforeStartTlsShouldOfferStartTlsAndDisableLogin() {
        String rewritten = ImapCapabilities.rewrite(ImapCapabilities.parse(UPSTREAM), leg(false, true, false, false));

        assertThat(ImapCapabilities.parse(rewritten))
            .containsExactly("IMAP4rev1", "LITERAL+", "SASL-IR", "IDLE", "MOVE", "STARTTLS", "LOGINDISABLED");
    }

    @Test
    void tlsLegShouldOfferAuthMechanismsButNeitherStartTlsNorLoginDisabled() {
        String rewritten = ImapCapabilities.rewrite(ImapCapabilities.parse(UPSTREAM), leg(true, true, false, false));

        assertThat(ImapCapabilities.parse(rewritten))
            .containsExactly("IMAP4rev1", "LITERAL+", "SASL-IR", "AUTH=PLAIN", "AUTH=XOAUTH2", "IDLE", "MOVE");
    }

    @Test
    void multiAppendAndCatenateShouldOnlyBeRelayedWhenAppendsAreNotInspected() {
        java.util.List<String> upstream = ImapCapabilities.parse("IMAP4rev1 MULTIAPPEND CATENATE UIDPLUS");

        assertThat(ImapCapabilities.parse(ImapCapabilities.rewrite(upstream,
            new ImapCapabilities.ClientLeg(true, false, true, false, true))))
            .as("APPEND inspected: one message per APPEND").containsExactly("IMAP4rev1", "UIDPLUS");
        assertThat(ImapCapabilities.parse(ImapCapabilities.rewrite(upstream,
            new ImapCapabilities.ClientLeg(true, false, true, false, false))))
            .containsExactly("IMAP4rev1", "MULTIAPPEND", "CATENATE", "UIDPLUS");
    }

    @Test
    void compressionBinaryReferralsAndUnknownExtensionsShouldNeverBeRelayed() {
        String rewritten = ImapCapabilities.rewrite(ImapCapabilities.parse(UPSTREAM), leg(true, false, false, false));

        assertThat(rewritten).doesNotContain("COMPRESS", "BINARY", "LOGIN-REFERRALS", "UNAUTHENTICATE", "X-SECRET");
    }

    @Test
    void plainLegWithPlaintextAuthAllowedShouldKeepMechanisms() {
        String rewritten = ImapCapabilities.rewrite(ImapCapabilities.parse(UPSTREAM), leg(false, false, false, true));

        assertThat(ImapCapabilities.parse(rewritten)).contains("AUTH=PLAIN").doesNotContain("LOGINDISABLED", "STARTTLS");
    }

    @Test
    void capabilityCodeShouldBeRewrittenInPlace() {
        String line = "a1 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE IDLE] LOGIN completed";

        assertThat(ImapCapabilities.rewriteCode(line, leg(true, false, true, false)))
            .isEqualTo("a1 OK [CAPABILITY IMAP4rev1 IDLE] LOGIN completed");
    }

    @Test
    void referralCodesShouldBeRemoved() {
        assertThat(ImapCapabilities.stripReferral("a NO [REFERRAL imap://other.example/] Try elsewhere"))
            .isEqualTo("a NO Try elsewhere");
    }
}
