package org.jamesproxy.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one pass that lets a text part without any uuencode, yEnc or BinHex block skip the line-by-line search. */
class EmbeddedFilesPrecheckTest {
    private static boolean precheck(String text) {
        return EmbeddedFiles.mayHoldABlock(text.getBytes(ISO_8859_1));
    }

    @Test
    void plainTextShouldHoldNoBlock() {
        assertThat(precheck("Hello,\r\nplease begin the meeting at 10.\r\nRegards\r\n")).isFalse();
        assertThat(precheck("")).isFalse();
    }

    @Test
    void everyBlockStartShouldBeNoticed() {
        assertThat(precheck("text\r\nbegin 644 invoice.exe\r\nM...\r\nend\r\n")).isTrue();
        assertThat(precheck("begin 644 first-line.exe\r\n")).isTrue();
        assertThat(precheck("text\n=ybegin line=128 size=68 name=eicar.com\n")).isTrue();
        assertThat(precheck("(This file must be converted with BinHex 4.0)\r\n")).isTrue();
        assertThat(precheck("see (this file must be converted with binhex 4.0) below")).isTrue();
        assertThat(precheck("(THIS FILE MUST BE CONVERTED WITH bInHeX 4.0)")).as("any case, as find() matches it").isTrue();
    }

    @Test
    void aBlockAfterABareCarriageReturnShouldBeNoticedAsFindSplitsThere() {
        String text = "text\rbegin 644 invoice.exe\rM...\rend\r";

        assertThat(precheck(text)).isTrue();
        assertThat(precheck("text\r=ybegin line=128 size=68 name=eicar.com\r")).isTrue();
        assertThat(text.lines()).contains("begin 644 invoice.exe");
    }
}
