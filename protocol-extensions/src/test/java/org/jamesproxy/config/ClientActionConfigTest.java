package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;

class ClientActionConfigTest {
    private static ProxyPolicy imap(String body) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy><imapproxy><name>out</name>" + body + "</imapproxy></mailproxy>"));
        return MailProxyConfiguration.parse(configuration).getImapPolicies().get(0).getPolicy();
    }

    private static ProxyPolicy smtp(String body) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy><smtpproxy><name>out</name>" + body + "</smtpproxy></mailproxy>"));
        return MailProxyConfiguration.parse(configuration).getSmtpPolicies().get(0).getPolicy();
    }

    private static final String CLIENT = "<proxyActionDirection>client</proxyActionDirection>";

    private static ProxyPolicy imapWithProfiles(String profiles, String body) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy><tlsProfiles>" + profiles + "</tlsProfiles>"
            + "<imapproxy><name>out</name>" + body + "</imapproxy></mailproxy>"));
        return MailProxyConfiguration.parse(configuration).getImapPolicies().get(0).getPolicy();
    }

    private static final String OUTBOUND_PROFILE = "<profile name=\"TLS-Client.Outbound\" basedOn=\"TLS-Client.Standard\">"
        + "<tlsAction><default>inspect</default><domain pattern=\"*.bank.example.com\">allow</domain></tlsAction></profile>";

    @Test
    void tlsActionShouldComeFromTheUpstreamLegsProfile() throws Exception {
        ProxyPolicy policy = imapWithProfiles(OUTBOUND_PROFILE, CLIENT
            + "<upstream><host>imap.example.com</host><tlsProfile>TLS-Client.Outbound</tlsProfile></upstream>");

        TlsActionRules rules = policy.getClientAction().orElseThrow().getTlsAction();
        assertThat(rules.actionFor("www.bank.example.com")).isEqualTo(TlsAction.ALLOW);
        assertThat(rules.actionFor("imap.example.com")).isEqualTo(TlsAction.INSPECT);
    }

    @Test
    void tlsActionOfTheClientActionShouldOverrideTheProfiles() throws Exception {
        ProxyPolicy policy = imapWithProfiles(OUTBOUND_PROFILE, CLIENT
            + "<clientAction><tlsAction><default>drop</default></tlsAction></clientAction>"
            + "<upstream><host>imap.example.com</host><tlsProfile>TLS-Client.Outbound</tlsProfile></upstream>");

        assertThat(policy.getClientAction().orElseThrow().getTlsAction().actionFor("www.bank.example.com"))
            .isEqualTo(TlsAction.DROP);
    }

    @Test
    void invalidTlsActionInAProfileShouldNameTheProfileElement() {
        assertThatThrownBy(() -> imapWithProfiles("<profile name=\"Out\" basedOn=\"TLS-Client.Standard\">"
                + "<tlsAction><default>decrypt</default></tlsAction></profile>",
            CLIENT + "<upstream><host>imap.example.com</host><tlsProfile>Out</tlsProfile></upstream>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("tlsAction")
            .hasMessageContaining("decrypt");
    }

    @Test
    void serverShouldBeTheDefaultDirection() throws Exception {
        ProxyPolicy policy = imap("<tls><keystore>file://k</keystore><secret>x</secret></tls><upstream><host>127.0.0.1</host></upstream>");

        assertThat(policy.getClientAction()).isEmpty();
        assertThat(policy.needsProxyServerCertificate()).isTrue();
    }

    @Test
    void clientPolicyShouldNeedNoProxyServerCertificateAndDefaultToFixedInspect() throws Exception {
        ProxyPolicy policy = imap(CLIENT + "<upstream><host>imap.example.com</host></upstream>");

        ClientActionConfig action = policy.getClientAction().orElseThrow();
        assertThat(policy.needsProxyServerCertificate()).isFalse();
        assertThat(action.getRouting()).isEqualTo(ClientActionConfig.Routing.FIXED);
        assertThat(action.getTlsAction().actionFor("imap.example.com")).isEqualTo(TlsAction.INSPECT);
        assertThat(action.getImplicitPassThroughPort()).isEqualTo(993);
        assertThat(action.getPlainPassThroughPort()).isEqualTo(143);
    }

    @Test
    void sniRoutingShouldReadTheAllowListTheRulesAndTheUpstreamTemplate() throws Exception {
        ProxyPolicy policy = imap(CLIENT + "<clientAction><routing>sni</routing>"
            + "<allowedDestinations><destination>*.example.com</destination><destination>mail.other.org</destination></allowedDestinations>"
            + "<tlsAction><default>inspect</default><domain pattern=\"*.bank.example.com\">allow</domain>"
            + "<domain pattern=\"tracker.example.com\">drop</domain></tlsAction>"
            + "<proxyAuthority><keyStore>file://conf/pa.p12</keyStore><secret>s</secret></proxyAuthority></clientAction>"
            + "<upstream><port>1993</port></upstream>");

        ClientActionConfig action = policy.getClientAction().orElseThrow();
        assertThat(action.getRouting()).isEqualTo(ClientActionConfig.Routing.SNI);
        assertThat(action.isAllowed("imap.example.com")).isTrue();
        assertThat(action.isAllowed("a.b.example.com")).isTrue();
        assertThat(action.isAllowed("example.com")).isFalse();
        assertThat(action.isAllowed("mail.other.org")).isTrue();
        assertThat(action.isAllowed("imap.other.org")).isFalse();
        assertThat(action.getTlsAction().actionFor("www.bank.example.com")).isEqualTo(TlsAction.ALLOW);
        assertThat(action.getTlsAction().actionFor("tracker.example.com")).isEqualTo(TlsAction.DROP);
        assertThat(action.getTlsAction().actionFor("imap.example.com")).isEqualTo(TlsAction.INSPECT);
        assertThat(action.getProxyAuthority().orElseThrow().getAlias()).isEqualTo("proxy-authority");
        assertThat(policy.getUpstream().getHost()).isEqualTo(UpstreamConfig.SNI_HOST);
        assertThat(policy.getUpstream().getPort()).isEqualTo(1993);
        assertThat(policy.getUpstream().forDestination("imap.example.com", 1993).getExpectedHostName()).isEqualTo("imap.example.com");
        assertThat(action.getImplicitPassThroughPort()).isEqualTo(1993);
    }

    @Test
    void emptyAllowListShouldRefuseEveryDestination() throws Exception {
        ClientActionConfig action = imap(CLIENT + "<clientAction><routing>sni</routing></clientAction>").getClientAction().orElseThrow();

        assertThat(action.isAllowed("imap.example.com")).isFalse();
    }

    @Test
    void smtpSniTemplateShouldDefaultToStartTlsOnPort25AndSpliceAllowOn465() throws Exception {
        ProxyPolicy policy = smtp(CLIENT + "<clientAction><routing>sni</routing></clientAction>");

        assertThat(policy.getUpstream().getTls()).isEqualTo(UpstreamTls.STARTTLS);
        assertThat(policy.getUpstream().getPort()).isEqualTo(25);
        assertThat(policy.getClientAction().orElseThrow().getImplicitPassThroughPort()).isEqualTo(465);
        assertThat(policy.getClientAction().orElseThrow().getPlainPassThroughPort()).isEqualTo(25);
    }

    @Test
    void clientActionOnAServerPolicyShouldNameTheElements() {
        assertThatThrownBy(() -> imap("<tls><keystore>file://k</keystore><secret>x</secret></tls>"
            + "<upstream><host>127.0.0.1</host></upstream><clientAction><routing>sni</routing></clientAction>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("clientAction")
            .hasMessageContaining("proxyActionDirection");
    }

    @Test
    void unknownDirectionShouldBeRejected() {
        assertThatThrownBy(() -> imap("<proxyActionDirection>outbound</proxyActionDirection><upstream><host>h</host></upstream>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("proxyActionDirection")
            .hasMessageContaining("server, client");
    }

    @Test
    void allowListWithFixedRoutingShouldBeRejected() {
        assertThatThrownBy(() -> imap(CLIENT + "<clientAction><allowedDestinations><destination>*.example.com</destination>"
            + "</allowedDestinations></clientAction><upstream><host>imap.example.com</host></upstream>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("allowedDestinations")
            .hasMessageContaining("sni routing only");
    }

    @Test
    void hostWithSniRoutingShouldBeRejected() {
        assertThatThrownBy(() -> imap(CLIENT + "<clientAction><routing>sni</routing></clientAction><upstream><host>h.example</host></upstream>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("upstream.host");
    }

    @Test
    void plaintextUpstreamWithSniRoutingShouldBeRejected() {
        assertThatThrownBy(() -> imap(CLIENT + "<clientAction><routing>sni</routing></clientAction><upstream><tls>none</tls></upstream>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("upstream.tls");
    }

    @Test
    void sniRoutingWithoutTlsShouldBeRejected() {
        assertThatThrownBy(() -> imap(CLIENT + "<tlsSupport>disabled</tlsSupport><clientAction><routing>sni</routing></clientAction>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("tlsSupport");
    }

    @Test
    void badDestinationPatternShouldNameTheElement() {
        assertThatThrownBy(() -> imap(CLIENT + "<clientAction><routing>sni</routing><allowedDestinations>"
            + "<destination>imap.*.com</destination></allowedDestinations></clientAction>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("clientAction.allowedDestinations.destination[0]")
            .hasMessageContaining("imap.*.com");
    }

    @Test
    void badTlsActionShouldNameTheDomainElement() {
        assertThatThrownBy(() -> imap(CLIENT + "<clientAction><routing>sni</routing><tlsAction>"
            + "<domain pattern=\"*.bank.example\">decrypt</domain></tlsAction></clientAction>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("tlsAction.domain(0)")
            .hasMessageContaining("inspect, allow, drop");
    }

    @Test
    void domainWithoutPatternShouldBeRejected() {
        assertThatThrownBy(() -> imap(CLIENT + "<clientAction><tlsAction><domain>allow</domain></tlsAction></clientAction>"
            + "<upstream><host>h.example</host></upstream>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("pattern");
    }

    @Test
    void proxyAuthorityWithoutSecretShouldBeRejected() {
        assertThatThrownBy(() -> imap(CLIENT + "<clientAction><proxyAuthority><keyStore>file://pa.p12</keyStore></proxyAuthority>"
            + "</clientAction><upstream><host>h.example</host></upstream>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("clientAction.proxyAuthority.secret");
    }
}
