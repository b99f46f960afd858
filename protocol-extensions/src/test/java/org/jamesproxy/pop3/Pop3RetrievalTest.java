package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The line arithmetic that tells a partial TOP from a whole message, and cuts a notice to the lines asked for. */
class Pop3RetrievalTest {
    private static byte[] bytes(String value) {
        return value.getBytes(ISO_8859_1);
    }

    @Test
    void countLinesShouldCountAnUnterminatedLastLine() {
        assertThat(Pop3Retrieval.countLines(bytes("H: v\r\n\r\none\r\ntwo\r\n"), 8)).isEqualTo(2);
        assertThat(Pop3Retrieval.countLines(bytes("H: v\r\n\r\none\r\ntwo"), 8)).isEqualTo(2);
        assertThat(Pop3Retrieval.countLines(bytes("H: v\r\n\r\n"), 8)).isZero();
    }

    @Test
    void firstLinesShouldKeepWholeLinesUpToTheCount() {
        byte[] notice = bytes("H: v\r\n\r\none\r\ntwo\r\nthree");

        assertThat(new String(Pop3Retrieval.firstLines(notice, 8, 2), ISO_8859_1)).isEqualTo("one\r\ntwo\r\n");
        assertThat(new String(Pop3Retrieval.firstLines(notice, 8, 0), ISO_8859_1)).isEmpty();
        assertThat(new String(Pop3Retrieval.firstLines(notice, 8, 9), ISO_8859_1)).isEqualTo("one\r\ntwo\r\nthree");
    }
}
