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
    @Test
    void decodesRandomContentAcrossBufferBoundaries() throws Exception {
        Random random = new Random(13);
        for (int round = 0; round < 300; round++) {
            byte[] content = new byte[random.nextInt(40_000)];
            random.nextBytes(content);
            String encoded = Base64.getMimeEncoder().encodeToString(content);
            try (StrictBase64InputStream in = new StrictBase64InputStream(new ByteArrayInputStream(encoded.getBytes(StandardCharsets.US_ASCII)))) {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                byte[] buffer = new byte[1 + random.nextInt(5000)];
                int read;
                while ((read = in.read(buffer, 0, buffer.length)) > 0) {
                    out.write(buffer, 0, read);
                }
                assertThat(out.toByteArray()).as("round %d, %d bytes", round, content.length).isEqualTo(content);
            }
        }
    }
}
