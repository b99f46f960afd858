package org.jamesproxy.imap.view;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamesproxy.imap.view.EnvelopeAddresses.Address;
import org.junit.jupiter.api.Test;

class EnvelopeAddressesTest {

    @Test
    void namesAreTheirPhraseAsWrittenUnquotedWithEncodedWordsKept() {
        assertThat(EnvelopeAddresses.parse("=?utf-8?q?J=C3=B6rg?= <joerg@example.org>, \"Smith, Ann\" <ann@example.org>, bare@example.org"))
            .containsExactly(new Address("=?utf-8?q?J=C3=B6rg?=", null, "joerg", "example.org"),
                new Address("Smith, Ann", null, "ann", "example.org"), new Address(null, null, "bare", "example.org"));
    }

    @Test
    void groupsRoutesAndCommentsFollowRfc3501() {
        assertThat(EnvelopeAddresses.parse("team: a@example.org (Alice), b@example.org;, <@relay.example,@two.example:c@example.org>"))
            .containsExactly(new Address(null, null, "team", null), new Address(null, null, "a", "example.org"),
                new Address(null, null, "b", "example.org"), new Address(null, null, null, null),
                new Address(null, "@relay.example,@two.example", "c", "example.org"));
        assertThat(EnvelopeAddresses.parse("undisclosed-recipients:;"))
            .containsExactly(new Address(null, null, "undisclosed-recipients", null), new Address(null, null, null, null));
    }

    @Test
    void garbageNeverThrows() {
        assertThat(EnvelopeAddresses.parse("\"unterminated <x@y")).hasSize(1);
        assertThat(EnvelopeAddresses.parse("(((")).isEmpty();
        assertThat(EnvelopeAddresses.parse(",,,;;:")).isNotNull();
        assertThat(EnvelopeAddresses.parse("x@".repeat(100_000).replace("@x", "@x,"))).hasSizeLessThanOrEqualTo(1000);
    }
}
