package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.jamesproxy.config.TlsProfile.FailureAction;
import org.jamesproxy.config.TlsProfile.FailureKind;
import org.jamesproxy.config.TlsProfile.OcspMode;
import org.jamesproxy.config.TlsProfile.Pfs;
import org.junit.jupiter.api.Test;

class TlsProfilesConfigurationTest {
    private static MailProxyConfiguration parse(String body) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy>" + body + "</mailproxy>"));
        return MailProxyConfiguration.parse(configuration);
    }

    private static MailProxyConfiguration profiles(String profiles) throws ConfigurationException {
        return parse("<tlsProfiles>" + profiles + "</tlsProfiles>");
    }

    @Test
    void thePredefinedProfilesExistWithoutBeingDeclared() throws Exception {
        MailProxyConfiguration configuration = profiles("");

        TlsProfile client = configuration.getTlsProfiles().get(TlsProfile.CLIENT_STANDARD);
        assertThat(client.getMinProtocol()).isEqualTo("TLSv1.2");
        assertThat(client.getPfs()).isEqualTo(Pfs.ALLOWED);
        assertThat(client.isTlsCompliantOnly()).isTrue();
        assertThat(client.isValidateCertificate()).isTrue();
        assertThat(client.getOcsp()).isEqualTo(OcspMode.OFF);
        for (FailureKind kind : FailureKind.values()) {
            assertThat(client.actionOn(kind)).isEqualTo(FailureAction.DENY);
        }
        TlsProfile server = configuration.getTlsProfiles().get(TlsProfile.SERVER_STANDARD);
        assertThat(server.getMinProtocol()).isEqualTo("TLSv1.2");
        assertThat(server.getPfs()).as("the client leg refuses static-RSA key exchange").isEqualTo(Pfs.REQUIRED);
    }

    @Test
    void aCopyOfTheServerStandardProfileMayAllowStaticRsa() throws Exception {
        TlsProfile legacy = profiles("<profile name=\"My.Server.Legacy\" basedOn=\"TLS-Server.Standard\"><pfs>allowed</pfs></profile>")
            .getTlsProfiles().get("My.Server.Legacy");

        assertThat(legacy.getPfs()).isEqualTo(Pfs.ALLOWED);
    }

    @Test
    void aProfileBasedOnAnotherInheritsWhatItDoesNotOverride() throws Exception {
        MailProxyConfiguration configuration = profiles(
            "<profile name=\"Bank\" basedOn=\"Strict\"><onHostMismatch>allow-with-warning</onHostMismatch>"
                + "<ocspResponder>http://ocsp.example:8080/</ocspResponder></profile>"
                + "<profile name=\"Strict\" basedOn=\"TLS-Client.Standard\"><minProtocol>TLSv1.3</minProtocol><pfs>required</pfs>"
                + "<ocsp>hard-fail</ocsp><tlsCompliantOnly>false</tlsCompliantOnly>"
                + "<ciphers><cipher>TLS_AES_128_GCM_SHA256</cipher></ciphers></profile>");

        TlsProfile bank = configuration.getTlsProfiles().get("Bank");
        assertThat(bank.getBasedOn()).contains("Strict");
        assertThat(bank.getMinProtocol()).isEqualTo("TLSv1.3");
        assertThat(bank.getPfs()).isEqualTo(Pfs.REQUIRED);
        assertThat(bank.getOcsp()).isEqualTo(OcspMode.HARD_FAIL);
        assertThat(bank.isTlsCompliantOnly()).isFalse();
        assertThat(bank.getCiphers()).containsExactly("TLS_AES_128_GCM_SHA256");
        assertThat(bank.actionOn(FailureKind.HOST_MISMATCH)).isEqualTo(FailureAction.ALLOW_WITH_WARNING);
        assertThat(bank.actionOn(FailureKind.EXPIRED)).isEqualTo(FailureAction.DENY);
        assertThat(bank.getOcspResponder()).contains(URI.create("http://ocsp.example:8080/"));
        assertThat(configuration.getTlsProfiles().get("Strict").getOcspResponder()).isEmpty();
    }

    @Test
    void aPredefinedProfileCannotBeRedefined() {
        assertThatThrownBy(() -> profiles("<profile name=\"TLS-Client.Standard\"><ocsp>hard-fail</ocsp></profile>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("mailproxy.tlsProfiles.profile[0].[@name]")
            .hasMessageContaining("predefined and read-only")
            .hasMessageContaining("basedOn=\"TLS-Client.Standard\"");
    }

    @Test
    void anIdenticalDeclarationOfAPredefinedProfileIsTolerated() throws Exception {
        // Files written before the profiles were predefined declared them like this.
        MailProxyConfiguration configuration = profiles("<profile name=\"TLS-Server.Standard\"><minProtocol>TLSv1.2</minProtocol></profile>");

        assertThat(configuration.getTlsProfiles().get(TlsProfile.SERVER_STANDARD)).isEqualTo(TlsProfile.SERVER_STANDARD_PROFILE);
    }

    @Test
    void anUnknownBaseIsReported() {
        assertThatThrownBy(() -> profiles("<profile name=\"A\" basedOn=\"Nope\"/>"))
            .hasMessageContaining("mailproxy.tlsProfiles.profile[0].[@basedOn]")
            .hasMessageContaining("'Nope'");
    }

    @Test
    void aCycleOfBasesIsReported() {
        assertThatThrownBy(() -> profiles("<profile name=\"A\" basedOn=\"B\"/><profile name=\"B\" basedOn=\"A\"/>"))
            .hasMessageContaining("cycle");
    }

    @Test
    void twoProfilesWithOneNameAreReported() {
        assertThatThrownBy(() -> profiles("<profile name=\"A\"/><profile name=\"A\"/>"))
            .hasMessageContaining("mailproxy.tlsProfiles.profile[1].[@name]");
    }

    @Test
    void badValuesNameTheirElement() {
        assertThatThrownBy(() -> profiles("<profile name=\"A\"><ocsp>sometimes</ocsp></profile>"))
            .hasMessageContaining("mailproxy.tlsProfiles.profile[0].ocsp")
            .hasMessageContaining("off, soft-fail, hard-fail");
        assertThatThrownBy(() -> profiles("<profile name=\"A\"><onExpired>ignore</onExpired></profile>"))
            .hasMessageContaining("mailproxy.tlsProfiles.profile[0].onExpired")
            .hasMessageContaining("deny, allow-with-warning");
        assertThatThrownBy(() -> profiles("<profile name=\"A\"><pfs>maybe</pfs></profile>"))
            .hasMessageContaining("mailproxy.tlsProfiles.profile[0].pfs");
        assertThatThrownBy(() -> profiles("<profile name=\"A\"><ocspResponder>ldap://x</ocspResponder></profile>"))
            .hasMessageContaining("mailproxy.tlsProfiles.profile[0].ocspResponder");
        assertThatThrownBy(() -> profiles("<profile name=\"A\"><minProtocol>TLSv1.3</minProtocol><pfs>none</pfs></profile>"))
            .hasMessageContaining("mailproxy.tlsProfiles.profile[0].pfs");
    }

    @Test
    void sslIsRefusedEvenThroughABase() {
        assertThatThrownBy(() -> profiles("<profile name=\"A\"/><profile name=\"B\" basedOn=\"A\"><minProtocol>SSLv3</minProtocol></profile>"))
            .hasMessageContaining("mailproxy.tlsProfiles.profile[1].minProtocol")
            .hasMessageContaining("refused outright");
    }

    @Test
    void pfsNoneDisablesTls13() throws Exception {
        TlsProfile tap = profiles("<profile name=\"Tap\"><pfs>none</pfs></profile>").getTlsProfiles().get("Tap");

        assertThat(tap.enabledProtocols()).containsExactly("TLSv1.2");
    }

    @Test
    void theTlsActionElementIsKeptAndInherited() throws Exception {
        MailProxyConfiguration configuration = profiles(
            "<profile name=\"A\"><tlsAction><default>inspect</default></tlsAction></profile><profile name=\"B\" basedOn=\"A\"/>");

        assertThat(configuration.getTlsProfiles().get("B").getTlsActionConfiguration().map(c -> c.getString("default")))
            .contains("inspect");
        assertThat(configuration.getTlsProfiles().get("B").getTlsActionElement().map(ConfigValues::path))
            .contains("mailproxy.tlsProfiles.profile[0].tlsAction");
        assertThat(configuration.getTlsProfiles().get(TlsProfile.CLIENT_STANDARD).getTlsActionElement()).isEmpty();
    }

    @Test
    void policiesResolveDeclaredAndPredefinedProfiles() throws Exception {
        MailProxyConfiguration configuration = parse("<tlsProfiles><profile name=\"Mine\" basedOn=\"TLS-Client.Standard\">"
            + "<ocsp>soft-fail</ocsp></profile></tlsProfiles>"
            + "<imapproxy><name>in</name><tlsSupport>disabled</tlsSupport><bind>127.0.0.1:0</bind>"
            + "<upstream><host>127.0.0.1</host><tlsProfile>Mine</tlsProfile></upstream></imapproxy>");

        ProxyPolicy policy = configuration.getImapPolicies().get(0).getPolicy();
        assertThat(policy.getUpstream().getTlsProfile().getOcsp()).isEqualTo(OcspMode.SOFT_FAIL);
        assertThat(policy.getClientTlsProfile()).isEqualTo(TlsProfile.SERVER_STANDARD_PROFILE);
    }

    @Test
    void theProxyAuthorityIsParsedFromAKeystoreOrPemFiles() throws Exception {
        ProxyAuthorityConfig keystore = parse("<proxyAuthority><keystore>file://conf/pa.p12</keystore><secret>s</secret>"
            + "<alias>pa</alias><leafValidity>2d</leafValidity><cacheSize>50</cacheSize></proxyAuthority>")
            .getProxyAuthority().orElseThrow();
        ProxyAuthorityConfig pem = parse("<proxyAuthority><privateKey>file://conf/pa.key</privateKey>"
            + "<certificate>file://conf/pa.crt</certificate></proxyAuthority>").getProxyAuthority().orElseThrow();

        assertThat(keystore.getKeystore()).contains("file://conf/pa.p12");
        assertThat(keystore.getKeystoreType()).isEqualTo(ProxyAuthorityConfig.StoreType.PKCS12);
        assertThat(keystore.getAlias()).contains("pa");
        assertThat(keystore.getLeafValidity()).isEqualTo(Duration.ofDays(2));
        assertThat(keystore.getCacheSize()).isEqualTo(50);
        assertThat(pem.getPrivateKey()).contains("file://conf/pa.key");
        assertThat(pem.getLeafValidity()).isEqualTo(Duration.ofDays(7));
        assertThat(parse("").getProxyAuthority()).isEqualTo(Optional.empty());
    }

    @Test
    void aProxyAuthorityNeedsExactlyOneSource() {
        assertThatThrownBy(() -> parse("<proxyAuthority><leafValidity>2d</leafValidity></proxyAuthority>"))
            .hasMessageContaining("mailproxy.proxyAuthority");
        assertThatThrownBy(() -> parse("<proxyAuthority><privateKey>file://conf/pa.key</privateKey></proxyAuthority>"))
            .hasMessageContaining("mailproxy.proxyAuthority.certificate is required");
        assertThatThrownBy(() -> parse("<proxyAuthority><keystore>file://conf/pa.p12</keystore></proxyAuthority>"))
            .hasMessageContaining("mailproxy.proxyAuthority.secret is required");
    }
}
