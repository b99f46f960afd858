package org.jamesproxy.it.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.jamesproxy.config.ClientActionConfig;
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.config.TlsAction;
import org.jamesproxy.config.UpstreamTls;
import org.junit.jupiter.api.Test;

/** The sample conf's client-action example (shipped disabled) parses once enabled, and means what its comments say. */
class ClientActionSampleConfTest {
    @Test
    void outboundImapExampleShouldParseWithTheDocumentedValues() throws Exception {
        XMLConfiguration xml = new XMLConfiguration();
        try (InputStream sample = getClass().getClassLoader().getResourceAsStream("sample-conf/mailproxy-reference.xml")) {
            new FileHandler(xml).load(sample);
        }
        int index = 0;
        while (!"imap-outbound".equals(xml.getString("imapproxy(" + index + ").name"))) {
            index++;
            assertThat(xml.getString("imapproxy(" + index + ").name")).as("the imap-outbound example").isNotNull();
        }
        assertThat(xml.getString("imapproxy(" + index + ")[@enabled]")).isEqualTo("false");
        xml.setProperty("imapproxy(" + index + ")[@enabled]", "true");

        MailProxyConfiguration configuration = MailProxyConfiguration.parse(xml);
        ProxyPolicy outbound = configuration.getImapPolicies().stream()
            .map(policy -> policy.getPolicy())
            .filter(policy -> policy.getName().equals("imap-outbound"))
            .findFirst().orElseThrow();

        ClientActionConfig action = outbound.getClientAction().orElseThrow();
        assertThat(outbound.needsProxyServerCertificate()).isFalse();
        assertThat(action.getRouting()).isEqualTo(ClientActionConfig.Routing.SNI);
        assertThat(action.isAllowed("imap.example.com")).isTrue();
        assertThat(action.isAllowed("mail.example.org")).isTrue();
        assertThat(action.isAllowed("imap.gmail.com")).isFalse();
        assertThat(action.getTlsAction().actionFor("imap.bank.example.org")).isEqualTo(TlsAction.ALLOW);
        assertThat(action.getTlsAction().actionFor("mail.example.org")).isEqualTo(TlsAction.INSPECT);
        // The certificates are minted by the shared, top-level Proxy Authority; the TLS action is the upstream profile's.
        assertThat(action.getProxyAuthority()).isEmpty();
        assertThat(configuration.getProxyAuthority()).isPresent();
        assertThat(outbound.getUpstream().getTlsProfile().getName()).isEqualTo("TLS-Client.Outbound");
        assertThat(configuration.getProxyAuthority().orElseThrow().getKeystore()).contains("file://conf/proxy-authority.p12");
        assertThat(outbound.getInspection().getProxyAction()).contains("IMAP-Client.Standard");
        assertThat(outbound.getUpstream().getTls()).isEqualTo(UpstreamTls.IMPLICIT);
        assertThat(outbound.getUpstream().getPort()).isEqualTo(993);
        assertThat(action.getImplicitPassThroughPort()).isEqualTo(993);
    }
}
