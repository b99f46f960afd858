package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;

class SmtpPolicyTest {
    private static XMLConfiguration xml(String body) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy>" + body + "</mailproxy>"));
        return configuration;
    }

    private static String policy(String upstream, String extra) {
        return "<smtpproxy><name>mx</name><tls><keystore>file://conf/keystore</keystore><secret>x</secret></tls>"
            + "<upstream><host>127.0.0.1</host>" + upstream + "</upstream>" + extra + "</smtpproxy>";
    }

    @Test
    void minimalPolicyShouldGetTheDocumentedSmtpDefaults() throws Exception {
        SmtpPolicy smtp = MailProxyConfiguration.parse(xml(policy("", ""))).getSmtpPolicies().get(0);

        assertThat(smtp.getPolicy().getBind()).isEqualTo("0.0.0.0:25");
        assertThat(smtp.getPolicy().getTlsBind()).isEqualTo("0.0.0.0:465");
        assertThat(smtp.getPolicy().getUpstream().getTls()).isEqualTo(UpstreamTls.STARTTLS);
        assertThat(smtp.getPolicy().getUpstream().getPort()).isEqualTo(25);
        assertThat(smtp.getPolicy().getJmxName()).isEqualTo("smtpproxy-mx");
        assertThat(smtp.isOpportunisticStartTls()).isFalse();
        assertThat(smtp.getMaxMessageSize()).isEqualTo(25L * 1024 * 1024);
        assertThat(smtp.getMaxRecipients()).isEqualTo(100);
        assertThat(smtp.getMaxUpstreamLineLength()).isEqualTo(64 * 1024);
        assertThat(smtp.getMaxPipelinedCommands()).isEqualTo(100);
        assertThat(smtp.isRequireHelo()).isTrue();
        assertThat(smtp.isBlockSourceRoutes()).isTrue();
        assertThat(smtp.getMailFrom()).isEqualTo(SmtpPolicy.AddressRules.NONE);
    }

    @Test
    void implicitUpstreamShouldDefaultToPort465() throws Exception {
        SmtpPolicy smtp = MailProxyConfiguration.parse(xml(policy("<tls>implicit</tls>", ""))).getSmtpPolicies().get(0);

        assertThat(smtp.getPolicy().getUpstream().getPort()).isEqualTo(465);
    }

    @Test
    void rulesShouldBeParsed() throws Exception {
        SmtpPolicy smtp = MailProxyConfiguration.parse(xml(policy("<opportunisticStartTls>true</opportunisticStartTls>",
            "<limits><maxMessageSize>10M</maxMessageSize><maxRecipients>5</maxRecipients></limits>"
                + "<rules><requireHelo>false</requireHelo><blockSourceRoutes>false</blockSourceRoutes>"
                + "<mailFrom><deny>.*@spam\\.example</deny><deny>.*@junk\\.example</deny></mailFrom>"
                + "<rcptTo><allow>.*@corp\\.example</allow></rcptTo></rules>")))
            .getSmtpPolicies().get(0);

        assertThat(smtp.isOpportunisticStartTls()).isTrue();
        assertThat(smtp.getMaxMessageSize()).isEqualTo(10L * 1024 * 1024);
        assertThat(smtp.getMaxRecipients()).isEqualTo(5);
        assertThat(smtp.isRequireHelo()).isFalse();
        assertThat(smtp.isBlockSourceRoutes()).isFalse();
        assertThat(smtp.getMailFrom().permits("a@JUNK.example")).isFalse();
        assertThat(smtp.getMailFrom().permits("a@corp.example")).isTrue();
        assertThat(smtp.getRcptTo().permits("a@corp.example")).isTrue();
        assertThat(smtp.getRcptTo().permits("a@other.example")).isFalse();
    }

    @Test
    void invalidPatternShouldNameElementAndValue() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("", "<rules><rcptTo><deny>([a-z</deny></rcptTo></rules>"))))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("mailproxy.smtpproxy[0].rules.rcptTo.deny")
            .hasMessageContaining("'([a-z'");
    }

    @Test
    void opportunisticStartTlsShouldBeRefusedWithoutStartTlsUpstream() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy(
            "<tls>implicit</tls><opportunisticStartTls>true</opportunisticStartTls>", ""))))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("mailproxy.smtpproxy[0].upstream.opportunisticStartTls");
    }

    @Test
    void smtpPolicyAloneShouldMakeTheConfigurationNonEmpty() throws Exception {
        assertThat(MailProxyConfiguration.parse(xml(policy("", ""))).isEmpty()).isFalse();
    }

    @Test
    void policiesParsedFromTheSameXmlShouldBeEqual() throws Exception {
        String body = policy("", "<rules><mailFrom><deny>.*@spam\\.example</deny></mailFrom></rules>");

        assertThat(MailProxyConfiguration.parse(xml(body))).isEqualTo(MailProxyConfiguration.parse(xml(body)));
    }

    @Test
    void upstreamLineLengthAndPipelinedCommandsShouldBeRead() throws Exception {
        SmtpPolicy smtp = MailProxyConfiguration.parse(xml(policy("",
            "<limits><maxUpstreamLineLength>1M</maxUpstreamLineLength><maxPipelinedCommands>7</maxPipelinedCommands></limits>")))
            .getSmtpPolicies().get(0);

        assertThat(smtp.getMaxUpstreamLineLength()).isEqualTo(1024 * 1024);
        assertThat(smtp.getMaxPipelinedCommands()).isEqualTo(7);
    }

    @Test
    void badSmtpLimitsShouldNameTheElement() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("",
                "<limits><maxUpstreamLineLength>long</maxUpstreamLineLength></limits>"))))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith("mailproxy.smtpproxy[0].limits.maxUpstreamLineLength: invalid value 'long'");
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("",
                "<limits><maxPipelinedCommands>0</maxPipelinedCommands></limits>"))))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("mailproxy.smtpproxy[0].limits.maxPipelinedCommands: invalid value '0': expected a whole number from 1 to 10000");
    }
}
