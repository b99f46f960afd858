package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.time.Duration;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;

class ConfigValuesTest {
    private static ConfigValues values(String body) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy>" + body + "</mailproxy>"));
        return new ConfigValues(configuration, "mailproxy");
    }

    @Test
    void absentOrBlankValuesShouldTakeTheDefault() throws Exception {
        ConfigValues values = values("<inspectionThreads> </inspectionThreads>");

        assertThat(values.integer("inspectionThreads", 4, 1, 1024)).isEqualTo(4);
        assertThat(values.size("limits.maxLineLength", "64K")).isEqualTo(64 * 1024);
        assertThat(values.duration("idleTimeout", "30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(values.bool("allowPlaintextAuth", true)).isTrue();
    }

    @Test
    void errorsShouldNameTheElementPathAndTheValue() throws Exception {
        ConfigValues values = values("<n>2000</n><flag>perhaps</flag><size>lots</size><time>soon</time><mode>sometimes</mode>");

        assertThatThrownBy(() -> values.integer("n", 2, 1, 1024))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("mailproxy.n: invalid value '2000': expected a whole number from 1 to 1024");
        assertThatThrownBy(() -> values.bool("flag", false))
            .hasMessage("mailproxy.flag: invalid value 'perhaps': expected true or false");
        assertThatThrownBy(() -> values.size("size", "1M"))
            .hasMessageStartingWith("mailproxy.size: invalid value 'lots': expected a size");
        assertThatThrownBy(() -> values.duration("time", "1s"))
            .hasMessageStartingWith("mailproxy.time: invalid value 'soon': expected a duration");
        assertThatThrownBy(() -> values.enumValue("mode", TlsSupport.class, TlsSupport.ENABLED))
            .hasMessage("mailproxy.mode: invalid value 'sometimes': expected one of disabled, enabled, required");
    }
}
