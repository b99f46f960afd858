package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;

/** Elements and attributes no parsing code reads fail the boot, with the nearest name the code does read. */
class StrictConfigurationTest {
    private static XMLConfiguration xml(String body) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy>" + body + "</mailproxy>"));
        return configuration;
    }

    private static String policy(String extra) {
        return "<imapproxy><name>in</name><tls><keystore>file://conf/keystore</keystore><secret>x</secret></tls>"
            + "<upstream><host>127.0.0.1</host><port>11993</port></upstream>" + extra + "</imapproxy>";
    }

    @Test
    void misspelledElementShouldFailWithTheNearestName() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("<tlsSuport>required</tlsSuport>"))))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("unknown element mailproxy.imapproxy.tlsSuport, did you mean tlsSupport?");
    }

    @Test
    void misspelledNestedElementShouldNameItsFullPath() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("<limits><maxLineLenght>1K</maxLineLenght></limits>"))))
            .hasMessage("unknown element mailproxy.imapproxy.limits.maxLineLenght, did you mean maxLineLength?");
    }

    @Test
    void misspelledElementInsideTheUpstreamShouldBeFound() {
        String policy = "<imapproxy><name>in</name><tlsSupport>disabled</tlsSupport>"
            + "<upstream><host>127.0.0.1</host><tls>none</tls><prot>143</prot></upstream></imapproxy>";

        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy)))
            .hasMessage("unknown element mailproxy.imapproxy.upstream.prot, did you mean port?");
    }

    @Test
    void unknownAttributeShouldFail() {
        String policy = "<imapproxy enabeld=\"false\"><name>in</name><tlsSupport>disabled</tlsSupport>"
            + "<upstream><host>127.0.0.1</host><tls>none</tls></upstream></imapproxy>";

        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy)))
            .hasMessage("unknown attribute mailproxy.imapproxy[@enabeld], did you mean enabled?");
    }

    @Test
    void unknownTopLevelElementShouldFail() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml("<imapprxy><name>x</name></imapprxy>")))
            .hasMessageStartingWith("unknown element mailproxy.imapprxy, did you mean imapproxy?");
    }

    @Test
    void nameFarFromEveryKnownOneShouldListTheKnownNames() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("<banana/>"))))
            .hasMessageStartingWith("unknown element mailproxy.imapproxy.banana (known here: ")
            .hasMessageContaining("tlsSupport")
            .hasMessageContaining("upstream");
    }

    @Test
    void everyProblemShouldBeListedAtOnce() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("<tlsSuport>required</tlsSuport><bnd>x</bnd>"))))
            .hasMessageContaining("tlsSuport, did you mean tlsSupport?")
            .hasMessageContaining("bnd, did you mean bind?");
    }

    @Test
    void misspelledMailetAttributeOfAProxyActionShouldFail() {
        String actions = "<proxyActions><action name=\"a\"><mailet class=\"StripHeaders\" mach=\"All\"/></action></proxyActions>";

        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(actions)))
            .hasMessage("unknown attribute mailproxy.proxyActions.action.mailet[@mach], did you mean match?");
    }

    @Test
    void mailetParametersShouldBeAccepted() throws Exception {
        String actions = "<proxyActions><action name=\"a\"><mailet class=\"StripHeaders\"><headers>X-A</headers>"
            + "<nested><deeper>1</deeper></nested></mailet></action></proxyActions>";

        assertThat(MailProxyConfiguration.parse(xml(actions)).getProxyActions()).containsKey("a");
    }

    @Test
    void jamesListenerAndCertificateKeysShouldBeAccepted() throws Exception {
        String extra = "<connectionLimit>10</connectionLimit><connectionBacklog>50</connectionBacklog>"
            + "<gracefulShutdown>false</gracefulShutdown>";
        String policy = "<imapproxy><name>in</name><tls><privateKey>file://conf/k.pem</privateKey>"
            + "<certificates>file://conf/c.pem</certificates></tls>"
            + "<upstream><host>127.0.0.1</host><port>11993</port></upstream>" + extra + "</imapproxy>";

        assertThat(MailProxyConfiguration.parse(xml(policy)).getImapPolicies()).hasSize(1);
    }

    @Test
    void disabledPolicyShouldNeitherBeCheckedNorListed() throws Exception {
        String disabled = "<pop3proxy enabled=\"false\"><name>old</name><tlsSuport>required</tlsSuport></pop3proxy>";

        MailProxyConfiguration configuration = MailProxyConfiguration.parse(xml(policy("") + disabled));

        assertThat(configuration.getPop3Policies()).isEmpty();
        assertThat(configuration.getImapPolicies()).hasSize(1);
    }

    @Test
    void misspelledTlsActionInAnUnusedProfileShouldFail() {
        String profiles = "<tlsProfiles><profile name=\"p\"><tlsAction><domian>x</domian></tlsAction></profile></tlsProfiles>";

        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(profiles)))
            .hasMessageContaining("tlsAction");
    }
}
