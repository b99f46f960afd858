package org.jamesproxy.inspection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OnErrorTest {
    @Test
    void parseShouldAcceptDenyAndPassCaseInsensitively() {
        assertThat(OnError.parse("deny")).isEqualTo(OnError.DENY);
        assertThat(OnError.parse("PASS")).isEqualTo(OnError.PASS);
        assertThat(OnError.parse(" Deny ")).isEqualTo(OnError.DENY);
    }

    @Test
    void parseShouldRejectAnUnknownValueNamingIt() {
        assertThatThrownBy(() -> OnError.parse("drop"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'drop'");
    }

    @Test
    void parseShouldRejectNull() {
        assertThatThrownBy(() -> OnError.parse(null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'null'");
    }

    @Test
    void asStringShouldRoundTripThroughParse() {
        for (OnError onError : OnError.values()) {
            assertThat(OnError.parse(onError.asString())).isEqualTo(onError);
        }
    }
}
