package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.time.Duration;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.jamesproxy.inspection.OnError;
import org.jamesproxy.inspection.ProxyActionDefinition;
import org.junit.jupiter.api.Test;

class MailProxyConfigurationTest {
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
    void minimalPolicyShouldGetTheDocumentedDefaults() throws Exception {
        MailProxyConfiguration configuration = MailProxyConfiguration.parse(xml(policy("")));

        ImapPolicy imap = configuration.getImapPolicies().get(0);
        assertThat(imap.getPolicy().getTlsSupport()).isEqualTo(TlsSupport.ENABLED);
        assertThat(imap.getPolicy().getBind()).isEqualTo("0.0.0.0:143");
        assertThat(imap.getPolicy().getTlsBind()).isEqualTo("0.0.0.0:993");
        assertThat(imap.getPolicy().isAllowPlaintextAuth()).isFalse();
        assertThat(imap.getPolicy().getUpstream().getTls()).isEqualTo(UpstreamTls.IMPLICIT);
        assertThat(imap.getPolicy().getUpstream().getExpectedHostName()).isEqualTo("127.0.0.1");
        assertThat(imap.getPolicy().getClientTlsProfile().getMinProtocol()).isEqualTo("TLSv1.2");
        assertThat(imap.getPolicy().getInspection().getOnError()).isEqualTo(OnError.DENY);
        assertThat(imap.getPolicy().getInspection().getMaxMessageSize()).isEqualTo(25L * 1024 * 1024);
        assertThat(imap.getImapIdleTimeout()).isEqualTo(Duration.ofMinutes(31));
    }

    @Test
    void invalidTlsSupportShouldNameElementAndValue() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("<tlsSupport>sometimes</tlsSupport>"))))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("mailproxy.imapproxy[0].tlsSupport")
            .hasMessageContaining("'sometimes'")
            .hasMessageContaining("disabled, enabled, required");
    }

    @Test
    void plaintextUpstreamShouldBeRefusedTowardANonLoopbackHost() {
        String policy = "<imapproxy><name>in</name><tlsSupport>disabled</tlsSupport>"
            + "<upstream><host>192.0.2.10</host><tls>none</tls></upstream></imapproxy>";

        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy)))
            .hasMessageContaining("mailproxy.imapproxy[0].upstream.tls")
            .hasMessageContaining("allowPlaintext");
    }

    @Test
    void plaintextUpstreamShouldBeAcceptedTowardLoopbackOrWhenForced() throws Exception {
        String loopback = "<imapproxy><name>a</name><tlsSupport>disabled</tlsSupport><bind>127.0.0.1:0</bind>"
            + "<upstream><host>127.0.0.1</host><tls>none</tls></upstream></imapproxy>";
        String forced = "<imapproxy><name>b</name><tlsSupport>disabled</tlsSupport><bind>127.0.0.1:0</bind>"
            + "<upstream><host>192.0.2.10</host><tls allowPlaintext=\"true\">none</tls></upstream></imapproxy>";

        assertThat(MailProxyConfiguration.parse(xml(loopback + forced)).getImapPolicies()).hasSize(2);
    }

    @Test
    void sslProtocolsShouldBeRefusedOutright() {
        String profiles = "<tlsProfiles><profile name=\"old\"><minProtocol>SSLv3</minProtocol></profile></tlsProfiles>";

        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(profiles)))
            .hasMessageContaining("minProtocol")
            .hasMessageContaining("SSLv3");
    }

    @Test
    void unknownProxyActionShouldBeReported() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("<proxyAction>Nope</proxyAction>"))))
            .hasMessageContaining("proxyAction")
            .hasMessageContaining("'Nope'");
    }

    @Test
    void tlsSupportOtherThanDisabledShouldRequireTheProxyServerCertificate() {
        String policy = "<imapproxy><name>in</name><upstream><host>127.0.0.1</host></upstream></imapproxy>";

        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy)))
            .hasMessageContaining("mailproxy.imapproxy[0].tls is required");
    }

    @Test
    void badSizeShouldNameTheLimitElement() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(policy("<limits><maxLiteralSize>lots</maxLiteralSize></limits>"))))
            .hasMessageContaining("limits.maxLiteralSize")
            .hasMessageContaining("'lots'");
    }

    @Test
    void tlsProfileShouldEnableTheMinimumAndNewer() throws Exception {
        String profiles = "<tlsProfiles><profile name=\"strict\"><minProtocol>TLSv1.3</minProtocol></profile>"
            + "<profile name=\"legacy\"><minProtocol>tlsv1.1</minProtocol></profile></tlsProfiles>";

        MailProxyConfiguration configuration = MailProxyConfiguration.parse(xml(profiles));

        assertThat(configuration.getTlsProfiles().get("strict").enabledProtocols()).containsExactly("TLSv1.3");
        assertThat(configuration.getTlsProfiles().get("legacy").enabledProtocols()).containsExactly("TLSv1.1", "TLSv1.2", "TLSv1.3");
    }

    @Test
    void inspectionThreadsShouldDefaultToTwiceTheProcessors() throws Exception {
        assertThat(MailProxyConfiguration.parse(xml(policy(""))).getInspectionThreads())
            .isEqualTo(Math.min(1024, 2 * Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void inspectionThreadsShouldBeRead() throws Exception {
        assertThat(MailProxyConfiguration.parse(xml("<inspectionThreads>3</inspectionThreads>" + policy("")))
            .getInspectionThreads()).isEqualTo(3);
    }

    @Test
    void inspectionThreadsOutOfRangeShouldNameTheElement() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml("<inspectionThreads>0</inspectionThreads>" + policy(""))))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("mailproxy.inspectionThreads: invalid value '0': expected a whole number from 1 to 1024");
    }

    @Test
    void proxyActionsShouldBeParsedAtBootWithErrorsNamingTheElement() {
        String action = "<proxyActions><action name=\"Mine\"><mailet class=\"Null\"/><mailet match=\"All\"/></action></proxyActions>";

        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(action)))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("proxyActions.action[@name=Mine].mailet[2]: missing 'class' attribute");
    }

    @Test
    void aDeclaredProxyActionShouldBeItsParsedDefinition() throws Exception {
        MailProxyConfiguration configuration = MailProxyConfiguration.parse(xml("<proxyActions><action name=\"Mine\">"
            + "<mailet notmatch=\"HasHeader=X-Keep\" class=\"RemoveMimeHeader\"><name>X-Secret</name></mailet>"
            + "</action></proxyActions>"));

        ProxyActionDefinition mine = configuration.getProxyActions().get("Mine");
        assertThat(mine.getName()).isEqualTo("Mine");
        assertThat(mine.getMailets()).singleElement().satisfies(mailet -> {
            assertThat(mailet.getClassName()).isEqualTo("RemoveMimeHeader");
            assertThat(mailet.getMatch().isNegated()).isTrue();
            assertThat(mailet.getMatch().getSpec()).isEqualTo("HasHeader=X-Keep");
            assertThat(mailet.getParameters()).containsExactly(java.util.Map.entry("name", "X-Secret"));
        });
    }
}
