package org.jamesproxy.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class Pop3CapabilitiesTest {
    private static final List<String> UPSTREAM = List.of("TOP", "UIDL", "USER", "SASL PLAIN LOGIN CRAM-MD5 XOAUTH2",
        "RESP-CODES", "STLS", "PIPELINING", "IMPLEMENTATION Acme-POP3", "X-UNKNOWN", "EXPIRE 30");

    @Test
    void rewriteShouldHideEveryCredentialWhenThePlainLegHasNoTls() {
        List<String> rewritten = Pop3Capabilities.rewrite(UPSTREAM, new Pop3Capabilities.ClientLeg(false, true, false));

        assertThat(rewritten).containsExactly("TOP", "UIDL", "RESP-CODES", "EXPIRE 30", "STLS", "PIPELINING");
    }

    @Test
    void rewriteShouldOfferUserAndEveryMechanismWhenTlsIsActive() {
        List<String> rewritten = Pop3Capabilities.rewrite(UPSTREAM, new Pop3Capabilities.ClientLeg(true, true, false));

        assertThat(rewritten).containsExactly("TOP", "UIDL", "USER", "SASL PLAIN LOGIN CRAM-MD5 XOAUTH2", "RESP-CODES",
            "EXPIRE 30", "PIPELINING");
    }

    @Test
    void rewriteShouldOfferUserInClearWhenThePolicyAllowsPlaintextAuth() {
        List<String> rewritten = Pop3Capabilities.rewrite(UPSTREAM, new Pop3Capabilities.ClientLeg(false, false, true));

        assertThat(rewritten).contains("USER", "SASL PLAIN LOGIN CRAM-MD5 XOAUTH2").doesNotContain("STLS");
    }

    @Test
    void rewriteShouldDropTheSaslLineWhenNoMechanismIsLeft() {
        List<String> rewritten = Pop3Capabilities.rewrite(List.of("SASL PLAIN LOGIN", "TOP"),
            new Pop3Capabilities.ClientLeg(false, true, false));

        assertThat(rewritten).containsExactly("TOP", "STLS", "PIPELINING");
    }

    @Test
    void rewriteShouldNeverRelayTheUpstreamsStlsOrUnknownExtensions() {
        List<String> rewritten = Pop3Capabilities.rewrite(UPSTREAM, new Pop3Capabilities.ClientLeg(false, false, false));

        assertThat(rewritten).doesNotContain("STLS", "X-UNKNOWN", "IMPLEMENTATION Acme-POP3");
    }
}
