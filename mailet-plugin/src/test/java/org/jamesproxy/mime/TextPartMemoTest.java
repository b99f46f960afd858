package org.jamesproxy.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The second rule mailet of one action finds a text part's embedded files without searching it again. */
class TextPartMemoTest {
    private static final String UUENCODED = "see below\r\nbegin 644 invoice.exe\r\n#34UZ\r\n`\r\nend\r\n";

    @Test
    void anEqualTextShouldGetWhatTheFirstSearchFoundWhileTheMemoIsOpen() throws Exception {
        try (TextPartMemo memo = TextPartMemo.open()) {
            List<EmbeddedFiles.File> first = EmbeddedFiles.find(UUENCODED.getBytes(ISO_8859_1), 1 << 20);
            List<EmbeddedFiles.File> second = EmbeddedFiles.find(UUENCODED.getBytes(ISO_8859_1), 1 << 20);

            assertThat(first).hasSize(1);
            assertThat(first.get(0).name).isEqualTo("invoice.exe");
            assertThat(second).as("remembered, not searched again").isSameAs(first);
        }
    }

    @Test
    void aChangedTextOrAnotherLimitShouldBeSearchedAgain() throws Exception {
        try (TextPartMemo memo = TextPartMemo.open()) {
            List<EmbeddedFiles.File> first = EmbeddedFiles.find(UUENCODED.getBytes(ISO_8859_1), 1 << 20);

            List<EmbeddedFiles.File> changed = EmbeddedFiles.find(UUENCODED.replace("invoice", "invoica").getBytes(ISO_8859_1), 1 << 20);
            List<EmbeddedFiles.File> otherLimit = EmbeddedFiles.find(UUENCODED.getBytes(ISO_8859_1), 1 << 19);

            assertThat(changed).isNotSameAs(first);
            assertThat(changed.get(0).name).isEqualTo("invoica.exe");
            assertThat(otherLimit).isNotSameAs(first).hasSize(1);
        }
    }

    @Test
    void nothingShouldBeRememberedOutsideAnOpenMemo() throws Exception {
        try (TextPartMemo memo = TextPartMemo.open()) {
            EmbeddedFiles.find(UUENCODED.getBytes(ISO_8859_1), 1 << 20);
        }

        assertThat(TextPartMemo.current()).isEmpty();
        List<EmbeddedFiles.File> first = EmbeddedFiles.find(UUENCODED.getBytes(ISO_8859_1), 1 << 20);
        assertThat(EmbeddedFiles.find(UUENCODED.getBytes(ISO_8859_1), 1 << 20)).isNotSameAs(first);
    }

    @Test
    void textsBeyondTheBoundShouldNotBeKept() throws Exception {
        byte[] large = new byte[(int) TextPartMemo.MAX_BYTES + 1];
        java.util.Arrays.fill(large, (byte) 'a');
        try (TextPartMemo memo = TextPartMemo.open()) {
            List<EmbeddedFiles.File> first = EmbeddedFiles.find(large, Long.MAX_VALUE);

            assertThat(memo.lookup(large, Long.MAX_VALUE)).isEmpty();
            assertThat(first).isEmpty();
        }
    }
}
