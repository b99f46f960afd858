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

    @Test
    void nearMissesOfBinHexShouldNotCount() {
        assertThat(precheck("xx hex HEX hexadecimal bin hex binhe x ex next text/plain invoice.exe xHEX")).isFalse();
        assertThat(precheck("x")).isFalse();
        assertThat(precheck("hex")).isFalse();
        assertThat(precheck("BinHex")).isTrue();
        assertThat(precheck("xx binheX")).isTrue();
    }

    @Test
    void binHexSearchShouldAgreeWithANaiveSearchOnRandomText() {
        java.util.Random random = new java.util.Random(11);
        String[] pieces = {"b", "i", "n", "h", "e", "x", "B", "H", "X", "binhe", "BinHe", "bin", "hex", " ", "\r", "\n",
            "\u00e9", "begin ", "begin", "=ybegin", "g", "gi", "=y"};
        int matches = 0;
        for (int round = 0; round < 20_000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(16);
            for (int i = 0; i < length; i++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            String sample = text.toString();
            boolean naive = sample.toLowerCase(java.util.Locale.ROOT).contains("binhex")
                || sample.lines().anyMatch(line -> line.startsWith("begin ") || line.startsWith("=ybegin"));

            assertThat(precheck(sample)).as(sample).isEqualTo(naive);
            matches += naive ? 1 : 0;
        }
        assertThat(matches).as("samples holding the marker").isGreaterThan(2000);
    }
}
