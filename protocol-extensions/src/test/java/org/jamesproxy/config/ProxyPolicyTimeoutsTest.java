package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.time.Duration;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;

/** {@code <timeouts>} of a policy: defaults, values, and errors naming the element. */
class ProxyPolicyTimeoutsTest {
    private static ClientDeadlines deadlines(String timeouts) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy><imapproxy><name>in</name>"
            + "<tls><keystore>file://conf/keystore</keystore><secret>x</secret></tls>"
            + "<upstream><host>127.0.0.1</host><port>11993</port></upstream>" + timeouts + "</imapproxy></mailproxy>"));
        return MailProxyConfiguration.parse(configuration).getImapPolicies().get(0).getPolicy().getDeadlines();
    }

    @Test
    void absentTimeoutsShouldBeTheDefaults() throws Exception {
        assertThat(deadlines("")).isEqualTo(ClientDeadlines.DEFAULT);
        assertThat(ClientDeadlines.DEFAULT.getCommandLine()).isEqualTo(Duration.ofSeconds(60));
        assertThat(ClientDeadlines.DEFAULT.getLogin()).isEqualTo(Duration.ofMinutes(3));
        assertThat(ClientDeadlines.DEFAULT.getTlsHandshake()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void eachTimeoutShouldBeReadAndTheOthersDefaulted() throws Exception {
        ClientDeadlines parsed = deadlines("<timeouts><commandLine>500ms</commandLine><tlsHandshake>5s</tlsHandshake></timeouts>");

        assertThat(parsed).isEqualTo(new ClientDeadlines(Duration.ofMillis(500), Duration.ofMinutes(3), Duration.ofSeconds(5)));
    }

    @Test
    void aBadOrZeroTimeoutShouldNameTheElement() {
        assertThatThrownBy(() -> deadlines("<timeouts><login>soon</login></timeouts>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("mailproxy.imapproxy[0].timeouts.login")
            .hasMessageContaining("soon");
        assertThatThrownBy(() -> deadlines("<timeouts><commandLine>0s</commandLine></timeouts>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("timeouts.commandLine");
    }
}
