package org.jamesproxy.it.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.config.UpstreamTls;
import org.junit.jupiter.api.Test;

/** Both shipped sample confs pass the strict parse; the minimal one means what its comments say. */
class SampleConfsTest {
    private static MailProxyConfiguration parse(String resource) throws Exception {
        XMLConfiguration xml = new XMLConfiguration();
        try (InputStream in = SampleConfsTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            new FileHandler(xml).load(in);
        }
        return MailProxyConfiguration.parse(xml);
    }

    @Test
    void minimalConfShouldHaveOnePolicyPerProtocolTowardThisJamesAndNeedNothingOptional() throws Exception {
        MailProxyConfiguration minimal = parse("sample-conf/mailproxy.xml");

        assertThat(minimal.commonPolicies()).extracting(ProxyPolicy::getName).containsExactly("imap", "submission", "pop3");
        assertThat(minimal.commonPolicies()).allSatisfy(policy -> {
            assertThat(policy.getUpstream().getHost()).isEqualTo("127.0.0.1");
            assertThat(policy.getClientAction()).isEmpty();
        });
        assertThat(minimal.getImapPolicies().get(0).getPolicy().getUpstream().getPort()).isEqualTo(993);
        assertThat(minimal.getSmtpPolicies().get(0).getPolicy().getUpstream().getTls()).isEqualTo(UpstreamTls.STARTTLS);
        assertThat(minimal.getPop3Policies().get(0).isOfferApop()).isFalse();
        assertThat(minimal.getProxyAuthority()).isEmpty();
        assertThat(minimal.getSmtpPolicies().get(0).getRcptTo().permits("anyone@anywhere.example")).isTrue();
    }

    @Test
    void referenceConfShouldParseStrictly() throws Exception {
        MailProxyConfiguration reference = parse("sample-conf/mailproxy-reference.xml");

        // Disabled examples (imap-outbound, smtp-mx) are not policies.
        assertThat(reference.commonPolicies()).extracting(ProxyPolicy::getName)
            .containsExactly("imap-inbound", "smtp-submission", "pop3-inbound");
    }
}
