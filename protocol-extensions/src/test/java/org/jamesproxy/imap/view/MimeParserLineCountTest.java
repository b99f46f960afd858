package org.jamesproxy.imap.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** BODYSTRUCTURE's line counts are counted eight bytes at a time: the same as one byte at a time, whatever the bytes. */
class MimeParserLineCountTest {
    private static int oneByOne(byte[] bytes, int length) {
        int count = 0;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\n') {
                count++;
            }
        }
        return count;
    }

    @Test
    void everyByteValueAndLengthShouldCountAsOneByOne() {
        Random random = new Random(11);
        for (int round = 0; round < 2_000; round++) {
            byte[] bytes = new byte[random.nextInt(100)];
            for (int i = 0; i < bytes.length; i++) {
                // LF, its neighbours (0x09, 0x0B, 0x8A) and anything else, so carries and high bits are tried
                int pick = random.nextInt(6);
                bytes[i] = (byte) (pick == 0 ? '\n' : pick == 1 ? 0x0B : pick == 2 ? 0x8A : pick == 3 ? 0x09 : random.nextInt(256));
            }
            int length = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);

            assertThat(MimeParser.lineFeeds(bytes, length)).as("round " + round).isEqualTo(oneByOne(bytes, length));
        }
    }

    @Test
    void allLineFeedsAndNoneShouldCountExactly() {
        assertThat(MimeParser.lineFeeds("\n".repeat(67).getBytes(), 67)).isEqualTo(67);
        assertThat(MimeParser.lineFeeds(new byte[64], 64)).isZero();
        byte[] high = new byte[64];
        java.util.Arrays.fill(high, (byte) 0xFF);
        assertThat(MimeParser.lineFeeds(high, 64)).isZero();
    }
}
