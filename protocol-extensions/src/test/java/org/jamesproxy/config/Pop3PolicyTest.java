package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;

class Pop3PolicyTest {
    private static XMLConfiguration xml(String body) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy>" + body + "</mailproxy>"));
        return configuration;
    }

    private static String policy(String upstream, String extra) {
        return "<pop3proxy><name>pop</name><tls><keystore>file://conf/keystore</keystore><secret>x</secret></tls>"
            + "<upstream><host>127.0.0.1</host>" + upstream + "</upstream>" + extra + "</pop3proxy>";
    }

    @Test
    void minimalPolicyShouldGetThePop3Defaults() throws Exception {
        MailProxyConfiguration configuration = MailProxyConfiguration.parse(xml(policy("", "")));

        Pop3Policy pop3 = configuration.getPop3Policies().get(0);
        assertThat(configuration.isEmpty()).isFalse();
        assertThat(pop3.getPolicy().getBind()).isEqualTo("0.0.0.0:110");
        assertThat(pop3.getPolicy().getTlsBind()).isEqualTo("0.0.0.0:995");
        assertThat(pop3.getPolicy().getJmxName()).isEqualTo("pop3proxy-pop");
        assertThat(pop3.getPolicy().getUpstream().getTls()).isEqualTo(UpstreamTls.IMPLICIT);
        assertThat(pop3.getPolicy().getUpstream().getPort()).isEqualTo(995);
        assertThat(pop3.getMaxPipelinedCommands()).isEqualTo(64);
        assertThat(pop3.getMaxUpstreamLineLength()).isEqualTo(1024 * 1024);
        assertThat(pop3.getMaxListingSize()).isEqualTo(16 * 1024 * 1024);
    }

    @Test
    void starttlsUpstreamShouldDefaultToPort110() throws Exception {
        Pop3Policy pop3 = MailProxyConfiguration.parse(xml(policy("<tls>starttls</tls>", ""))).getPop3Policies().get(0);

        assertThat(pop3.getPolicy().getUpstream().getPort()).isEqualTo(110);
    }

    @Test
    void limitsShouldBeRead() throws Exception {
        Pop3Policy pop3 = MailProxyConfiguration.parse(xml(policy("", "<limits><maxPipelinedCommands>8</maxPipelinedCommands>"
            + "<maxUpstreamLineLength>64K</maxUpstreamLineLength><maxListingSize>1M</maxListingSize></limits>")))
            .getPop3Policies().get(0);

        assertThat(pop3.getMaxPipelinedCommands()).isEqualTo(8);
        assertThat(pop3.getMaxUpstreamLineLength()).isEqualTo(64 * 1024);
        assertThat(pop3.getMaxListingSize()).isEqualTo(1024 * 1024);
    }

    @Test
    void invalidLimitShouldNameTheElement() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("",
            "<limits><maxPipelinedCommands>0</maxPipelinedCommands></limits>"))))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("mailproxy.pop3proxy[0].limits.maxPipelinedCommands");
    }

    @Test
    void unknownProxyActionShouldBeRefused() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("", "<proxyAction>missing</proxyAction>"))))
            .hasMessageContaining("mailproxy.pop3proxy[0].proxyAction");
    }
}
