package org.jamesproxy.mailet.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.apache.mailet.MailetException;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

class MailetParametersTest {
    private static MailetParameters parameters(String name, String value) {
        return new MailetParameters(FakeMailetConfig.builder().mailetName("Rules").setProperty(name, value).build());
    }

    @Test
    void blankValuesShouldCountAsAbsent() throws Exception {
        MailetParameters parameters = parameters("maxParts", "  ");

        assertThat(parameters.integer("maxParts", 1000, 1, 10_000)).isEqualTo(1000);
        assertThat(parameters.string("maxParts")).isEmpty();
    }

    @Test
    void sizesShouldBeParsedAsJamesSizes() throws Exception {
        assertThat(parameters("maxDecodedSize", "64M").size("maxDecodedSize", 1)).isEqualTo(64L << 20);
        assertThat(parameters("maxDecodedSize", "512k").size("maxDecodedSize", 1)).isEqualTo(512L << 10);
        assertThat(parameters("maxDecodedSize", "64 M").size("maxDecodedSize", 1)).isEqualTo(64L << 20);
    }

    @Test
    void durationsShouldDefaultToSeconds() throws Exception {
        assertThat(parameters("timeout", "30").duration("timeout", Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void errorsShouldNameTheMailetTheParameterAndTheValue() {
        assertThatThrownBy(() -> parameters("maxParts", "many").integer("maxParts", 1000, 1, 10_000))
            .isInstanceOf(MailetException.class)
            .hasMessage("Rules: invalid value 'many' for parameter 'maxParts': expected a whole number from 1 to 10000");
        assertThatThrownBy(() -> parameters("scanArchives", "perhaps").bool("scanArchives", true))
            .hasMessage("Rules: invalid value 'perhaps' for parameter 'scanArchives': expected true or false");
        assertThatThrownBy(() -> parameters("maxDecodedSize", "0").size("maxDecodedSize", 1))
            .hasMessageStartingWith("Rules: invalid value '0' for parameter 'maxDecodedSize': expected a positive size");
        assertThatThrownBy(() -> parameters("timeout", "soon").duration("timeout", Duration.ZERO))
            .hasMessageStartingWith("Rules: invalid value 'soon' for parameter 'timeout': expected a duration");
        assertThatThrownBy(() -> parameters("threshold", "high").decimal("threshold"))
            .hasMessage("Rules: invalid value 'high' for parameter 'threshold': expected a number");
    }
}
