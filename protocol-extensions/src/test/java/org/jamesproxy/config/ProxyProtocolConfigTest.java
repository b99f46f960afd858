package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.net.InetAddress;
import java.time.Duration;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.jamesproxy.policy.AddressRange;
import org.junit.jupiter.api.Test;

import com.google.common.net.InetAddresses;

/** {@code <upstream><proxyProtocol>} and {@code <acceptProxyProtocol>}: parsed once, errors naming the element. */
class ProxyProtocolConfigTest {
    private static ProxyPolicy smtp(String upstreamExtra, String policyExtra) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy><smtpproxy><name>in</name>"
            + "<tls><keystore>file://conf/keystore</keystore><secret>x</secret></tls>"
            + "<upstream><host>127.0.0.1</host><port>10025</port>" + upstreamExtra + "</upstream>" + policyExtra
            + "</smtpproxy></mailproxy>"));
        return MailProxyConfiguration.parse(configuration).getSmtpPolicies().get(0).getPolicy();
    }

    private static InetAddress ip(String literal) {
        return InetAddresses.forString(literal);
    }

    @Test
    void noProxyProtocolShouldSendNoHeader() throws Exception {
        assertThat(smtp("", "").getUpstream().getProxyHeader()).isEqualTo(ProxyHeader.NONE);
    }

    @Test
    void proxyProtocolShouldTakeV1AndV2() throws Exception {
        assertThat(smtp("<proxyProtocol>v1</proxyProtocol>", "").getUpstream().getProxyHeader()).isEqualTo(ProxyHeader.V1);
        assertThat(smtp("<proxyProtocol>V2</proxyProtocol>", "").getUpstream().getProxyHeader()).isEqualTo(ProxyHeader.V2);
    }

    @Test
    void anUnknownProxyProtocolVersionShouldNameTheElement() {
        assertThatThrownBy(() -> smtp("<proxyProtocol>v3</proxyProtocol>", ""))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("upstream.proxyProtocol: invalid value 'v3': expected one of none, v1, v2");
    }

    @Test
    void noAcceptProxyProtocolShouldTakeDirectConnections() throws Exception {
        assertThat(smtp("", "").getProxyProtocolIn()).isEmpty();
    }

    @Test
    void trustedProxiesShouldMatchAddressesAndBlocks() throws Exception {
        ProxyProtocolIn in = smtp("", "<acceptProxyProtocol><trustedProxies> 10.0.0.0/8, 192.0.2.7 ,fd00::/8 </trustedProxies>"
            + "</acceptProxyProtocol>").getProxyProtocolIn().orElseThrow();

        assertThat(in.trusts(ip("10.200.3.4"))).isTrue();
        assertThat(in.trusts(ip("11.0.0.1"))).isFalse();
        assertThat(in.trusts(ip("192.0.2.7"))).isTrue();
        assertThat(in.trusts(ip("192.0.2.8"))).isFalse();
        assertThat(in.trusts(ip("::ffff:10.1.1.1"))).as("IPv4-mapped").isTrue();
        assertThat(in.trusts(ip("fd12::1"))).isTrue();
        assertThat(in.trusts(ip("fe80::1"))).isFalse();
        assertThat(in.getHeaderTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aPrefixThatIsNotAByteMultipleShouldMaskBits() {
        AddressRange range = AddressRange.parse("172.16.0.0/12");

        assertThat(range.contains(ip("172.31.255.255"))).isTrue();
        assertThat(range.contains(ip("172.32.0.0"))).isFalse();
    }

    @Test
    void trustingEveryPeerShouldBeRefused() {
        assertThatThrownBy(() -> smtp("", "<acceptProxyProtocol><trustedProxies>*</trustedProxies></acceptProxyProtocol>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("list the load balancers' addresses");
    }

    @Test
    void trustedProxiesShouldBeRequired() {
        assertThatThrownBy(() -> smtp("", "<acceptProxyProtocol><headerTimeout>3s</headerTimeout></acceptProxyProtocol>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("acceptProxyProtocol.trustedProxies is required");
    }

    @Test
    void aHostNameShouldBeRefusedAsATrustedProxy() {
        assertThatThrownBy(() -> smtp("", "<acceptProxyProtocol><trustedProxies>lb.example.com</trustedProxies></acceptProxyProtocol>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("acceptProxyProtocol.trustedProxies: invalid value 'lb.example.com'")
            .hasMessageContaining("host names are not allowed");
    }

    @Test
    void aPrefixLongerThanTheAddressShouldBeRefused() {
        assertThatThrownBy(() -> smtp("", "<acceptProxyProtocol><trustedProxies>10.0.0.0/33</trustedProxies></acceptProxyProtocol>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("invalid value '10.0.0.0/33'")
            .hasMessageContaining("0 to 32");
    }

    @Test
    void identityCommandShouldDefaultToNone() throws Exception {
        assertThat(smtp("", "").getUpstream().getIdentityCommand()).isEqualTo(IdentityCommand.NONE);
        assertThat(smtp("<identityCommand>xclient</identityCommand>", "").getUpstream().getIdentityCommand())
            .isEqualTo(IdentityCommand.XCLIENT);
    }

    @Test
    void imapsIdShouldBeRefusedOnAnSmtpPolicy() {
        assertThatThrownBy(() -> smtp("<identityCommand>id</identityCommand>", ""))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("upstream.identityCommand: invalid value 'id': xclient is for <smtpproxy>, id for <imapproxy>");
    }
}
