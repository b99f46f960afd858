package org.jamesproxy.it.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.jamesproxy.config.InspectionSettings;
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.config.Pop3Policy;
import org.junit.jupiter.api.Test;

/** The documented sample conf/mailproxy.xml shipped in james-conf parses, and its POP3 example means what it says. */
class Pop3SampleConfTest {
    @Test
    void samplePop3PolicyShouldParseWithTheDocumentedValues() throws Exception {
        XMLConfiguration xml = new XMLConfiguration();
        try (InputStream sample = getClass().getClassLoader().getResourceAsStream("sample-conf/mailproxy-reference.xml")) {
            new FileHandler(xml).load(sample);
        }

        Pop3Policy pop3 = MailProxyConfiguration.parse(xml).getPop3Policies().get(0);

        assertThat(pop3.getPolicy().getName()).isEqualTo("pop3-inbound");
        assertThat(pop3.getPolicy().getBind()).isEqualTo("0.0.0.0:110");
        assertThat(pop3.getPolicy().getTlsBind()).isEqualTo("0.0.0.0:995");
        assertThat(pop3.getPolicy().getUpstream().getPort()).isEqualTo(995);
        assertThat(pop3.getPolicy().getInspection().getProxyAction()).contains("POP3-Server.Standard");
        assertThat(pop3.getPolicy().getInspection().getOversize()).isEqualTo(InspectionSettings.Oversize.PASS);
        // Toward James 3.8.1, which greets with a challenge it cannot check.
        assertThat(pop3.isOfferApop()).isFalse();
        assertThat(pop3.getMaxPipelinedCommands()).isEqualTo(64);
        assertThat(pop3.getMaxListingSize()).isEqualTo(16 * 1024 * 1024);
    }
}
