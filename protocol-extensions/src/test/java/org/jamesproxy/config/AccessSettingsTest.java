package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.time.Duration;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.jamesproxy.policy.AccessPolicy;
import org.jamesproxy.policy.Disposition;
import org.junit.jupiter.api.Test;

/** The connection-rule elements of a policy: parsed once, bad input fails the boot naming the element. */
class AccessSettingsTest {
    private static AccessPolicy parse(String elements) throws Exception {
        XMLConfiguration xml = new XMLConfiguration();
        new FileHandler(xml).load(new StringReader("<imapproxy>" + elements + "</imapproxy>"));
        return AccessSettings.parse(new ConfigValues(xml, "mailproxy.imapproxy[0]"));
    }

    @Test
    void everyElementShouldBeRead() throws Exception {
        AccessPolicy policy = parse("<access><rule name=\"lab\" from=\"10.0.0.0/8, 192.0.2.1-192.0.2.9\" disposition=\"denied-reset\""
            + " autoBlock=\"true\"/><default disposition=\"denied\"/></access>"
            + "<autoBlock duration=\"1h\" exceptions=\"127.0.0.1\"><failedLogins perSource=\"5\" perUser=\"10\" within=\"15m\"/></autoBlock>"
            + "<rateLimits connectionsPerSecond=\"3\" connectionsPerMinute=\"60\"/>"
            + "<schedule zone=\"Europe/Paris\" refusal=\"denied-reset\"><window days=\"mon-fri\" hours=\"08:00-18:00\"/></schedule>");

        assertThat(policy.rules().rules()).singleElement().satisfies(rule -> {
            assertThat(rule.name()).isEqualTo("lab");
            assertThat(rule.from()).hasSize(2);
            assertThat(rule.disposition()).isEqualTo(Disposition.DENIED_RESET);
        });
        assertThat(policy.rules().defaultRule().disposition()).isEqualTo(Disposition.DENIED);
        assertThat(policy.autoBlock()).isEqualTo(new AccessPolicy.AutoBlock(true, Duration.ofHours(1),
            java.util.List.of(org.jamesproxy.policy.AddressRange.parse("127.0.0.1")), true, 5, 10, Duration.ofMinutes(15)));
        assertThat(policy.rateLimits()).isEqualTo(new AccessPolicy.RateLimits(3, 60, false));
        assertThat(policy.refusal()).isEqualTo(Disposition.DENIED_RESET);
    }

    @Test
    void aMalformedCidrShouldNameTheRuleAndTheValue() {
        assertThatThrownBy(() -> parse("<access><rule from=\"10.0.0.0/40\" disposition=\"denied\"/></access>"))
            .hasMessageContaining("mailproxy.imapproxy[0].access.rule[0]").hasMessageContaining("10.0.0.0/40")
            .hasMessageContaining("prefix length");
    }

    @Test
    void anUnknownDispositionShouldListTheValidOnes() {
        assertThatThrownBy(() -> parse("<access><rule from=\"*\" disposition=\"drop\"/></access>"))
            .hasMessageContaining("allowed, denied or denied-reset");
    }

    @Test
    void aMalformedScheduleShouldNameTheWindow() {
        assertThatThrownBy(() -> parse("<schedule><window days=\"mon-fry\" hours=\"08:00-18:00\"/></schedule>"))
            .hasMessageContaining("schedule.window[0]").hasMessageContaining("fry");
        assertThatThrownBy(() -> parse("<schedule zone=\"Mars/Olympus\"><window days=\"*\"/></schedule>"))
            .hasMessageContaining("Mars/Olympus");
        assertThatThrownBy(() -> parse("<schedule/>")).hasMessageContaining("at least one");
    }

    @Test
    void anAutoBlockRuleWithoutAnAutoBlockElementShouldBeRefused() {
        assertThatThrownBy(() -> parse("<access><rule from=\"*\" disposition=\"denied\" autoBlock=\"true\"/></access>"))
            .hasMessageContaining("autoBlock").hasMessageContaining("required");
    }

    @Test
    void aToListShouldOnlyGoWithAnAllowedRule() {
        assertThatThrownBy(() -> parse("<access><rule from=\"*\" disposition=\"denied\" to=\"a:1\"/></access>"))
            .hasMessageContaining("only goes with disposition");
    }

    @Test
    void aToListShouldNameMembersOfThePool() throws Exception {
        AccessPolicy access = parse("<access><rule from=\"*\" disposition=\"allowed\" to=\"a:1\"/></access>");

        assertThatThrownBy(() -> AccessSettings.checkToLists(new ConfigValues(new XMLConfiguration(), "mailproxy.imapproxy[0]"),
            access, java.util.Optional.empty())).hasMessageContaining("needs <upstream><pool>");
    }
}
