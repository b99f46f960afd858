package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;

/** {@code <helloName>} read as James 3.8.1's AbstractConfigurableAsyncServer.configureHelloName reads it. */
class ProxyPolicyHelloNameTest {
    private static MailProxyConfiguration parse(String element, String helloName) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy><" + element + "><name>in</name>"
            + "<tls><keystore>file://conf/keystore</keystore><secret>x</secret></tls>"
            + "<upstream><host>127.0.0.1</host><port>11993</port></upstream>" + helloName + "</" + element + "></mailproxy>"));
        return MailProxyConfiguration.parse(configuration);
    }

    private static String imapHelloName(String helloName) throws ConfigurationException {
        return parse("imapproxy", helloName).getImapPolicies().get(0).getPolicy().getHelloName();
    }

    /** What James computes: the local host name, "localhost" when the lookup fails. */
    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Test
    void autodetectTrueShouldBeTheLocalHostName() throws Exception {
        assertThat(imapHelloName("<helloName autodetect=\"true\"/>")).isEqualTo(hostName());
    }

    @Test
    void autodetectTrueShouldIgnoreTheText() throws Exception {
        assertThat(imapHelloName("<helloName autodetect=\"true\">mail.example.com</helloName>")).isEqualTo(hostName());
    }

    @Test
    void aNameWithoutTheAttributeShouldBeAutodetectedAsJamesDefaultsAutodetectToTrue() throws Exception {
        assertThat(imapHelloName("<helloName>mail.example.com</helloName>")).isEqualTo(hostName());
    }

    @Test
    void noHelloNameElementShouldBeTheLocalHostName() throws Exception {
        assertThat(imapHelloName("")).isEqualTo(hostName());
    }

    @Test
    void autodetectFalseShouldBeTheText() throws Exception {
        assertThat(imapHelloName("<helloName autodetect=\"false\"> mail.example.com </helloName>")).isEqualTo("mail.example.com");
        assertThat(parse("pop3proxy", "<helloName autodetect=\"false\">pop.example.com</helloName>")
            .getPop3Policies().get(0).getPolicy().getHelloName()).isEqualTo("pop.example.com");
        assertThat(parse("smtpproxy", "<helloName autodetect=\"false\">mx.example.com</helloName>")
            .getSmtpPolicies().get(0).getPolicy().getHelloName()).isEqualTo("mx.example.com");
    }

    @Test
    void autodetectFalseWithoutTextShouldNameTheElement() {
        assertThatThrownBy(() -> imapHelloName("<helloName autodetect=\"false\"/>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith("mailproxy.imapproxy[0].helloName is empty while autodetect is false");
        assertThatThrownBy(() -> parse("smtpproxy", "<helloName autodetect=\"false\">  </helloName>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith("mailproxy.smtpproxy[0].helloName is empty while autodetect is false");
    }

    @Test
    void anInvalidAutodetectShouldNameTheAttribute() {
        assertThatThrownBy(() -> imapHelloName("<helloName autodetect=\"sometimes\">x</helloName>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("mailproxy.imapproxy[0].helloName[@autodetect]: invalid value 'sometimes': expected true or false");
    }
}
