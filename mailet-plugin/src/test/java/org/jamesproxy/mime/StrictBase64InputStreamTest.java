package org.jamesproxy.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

import org.junit.jupiter.api.Test;

class StrictBase64InputStreamTest {
    private static byte[] decode(String encoded) throws IOException {
        return new StrictBase64InputStream(new ByteArrayInputStream(encoded.getBytes(StandardCharsets.US_ASCII))).readAllBytes();
    }

    @Test
    void decodesWhatTheMimeEncoderWritesForEveryPaddingLength() throws Exception {
        Random random = new Random(42);
        for (int length = 0; length < 300; length++) {
            byte[] content = new byte[length];
            random.nextBytes(content);

            assertThat(decode(Base64.getMimeEncoder().encodeToString(content))).isEqualTo(content);
        }
    }

    @Test
    void acceptsBlanksAndAMissingPadding() throws Exception {
        assertThat(decode(" aGVs\r\n bG8 \t")).isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void refusesWhatLenientDecodersReadDifferently() {
        assertThatThrownBy(() -> decode("aGk=TVqQ")).hasMessageContaining("after the padding");
        assertThatThrownBy(() -> decode("aG*k")).hasMessageContaining("not base64");
        assertThatThrownBy(() -> decode("a=Gk")).hasMessageContaining("padding");
        assertThatThrownBy(() -> decode("aGVsb")).hasMessageContaining("truncated");
    }
}
