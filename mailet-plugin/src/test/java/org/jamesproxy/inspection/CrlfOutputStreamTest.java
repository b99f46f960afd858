package org.jamesproxy.inspection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class CrlfOutputStreamTest {
    private static String normalize(String... chunks) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (CrlfOutputStream out = new CrlfOutputStream(buffer)) {
            for (String chunk : chunks) {
                out.write(chunk.getBytes(StandardCharsets.US_ASCII));
            }
        }
        return buffer.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void writeShouldKeepCrlfAsItIs() throws IOException {
        assertThat(normalize("a\r\nb\r\n")).isEqualTo("a\r\nb\r\n");
    }

    @Test
    void writeShouldTurnBareLfAndBareCrIntoCrlf() throws IOException {
        assertThat(normalize("a\nb\rc\r\r\nd")).isEqualTo("a\r\nb\r\nc\r\n\r\nd");
    }

    @Test
    void writeShouldHandleACrlfSplitAcrossWrites() throws IOException {
        assertThat(normalize("a\r", "\nb\r", "c")).isEqualTo("a\r\nb\r\nc");
    }

    @Test
    void closeShouldCompleteATrailingCr() throws IOException {
        assertThat(normalize("a\r")).isEqualTo("a\r\n");
    }
}
