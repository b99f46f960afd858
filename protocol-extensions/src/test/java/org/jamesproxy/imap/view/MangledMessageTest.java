package org.jamesproxy.imap.view;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Hostile or broken input never reaches the session as an exception: the test messages truncated, with bytes
 * flipped, with CR/LF/boundary characters injected, all answer every item shape with well-formed values.
 */
class MangledMessageTest {
    private static final List<ViewItem> ITEMS = FetchRequest.parse("(RFC822.SIZE BODYSTRUCTURE BODY BODY.PEEK[] BODY.PEEK[HEADER] "
        + "BODY.PEEK[TEXT]<3.50> BODY.PEEK[1] BODY.PEEK[1.MIME] BODY.PEEK[2.1] BODY.PEEK[2.HEADER.FIELDS (Subject)] BODY.PEEK[2.TEXT] "
        + "BINARY.PEEK[2] BINARY.SIZE[1] RFC822.HEADER)").viewItems();
    private static final byte[] NOISE = "\r\n-=:;\"()<>\\ \t\u0000\u00ffb1--".getBytes(ISO_8859_1);

    @Test
    void everyMangledMessageAnswersEveryShape() {
        Random random = new Random(3501);
        for (String message : ViewMessages.all().values()) {
            byte[] original = message.getBytes(ISO_8859_1);
            for (int round = 0; round < 300; round++) {
                byte[] mangled = mangle(original, random);
                InspectedView view = InspectedView.of(MessageBytes.inMemory(mangled));
                ByteBuf out = Unpooled.buffer();
                view.writeItems(ITEMS, out);
                String answer = out.toString(ISO_8859_1);
                out.release();
                assertThat(view.size()).isEqualTo(mangled.length);
                assertWellFormed(answer);
            }
        }
    }

    private static byte[] mangle(byte[] original, Random random) {
        byte[] bytes = original.clone();
        switch (random.nextInt(3)) {
            case 0 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            case 1 -> {
                for (int i = 0; i < 1 + random.nextInt(8); i++) {
                    bytes[random.nextInt(bytes.length)] = NOISE[random.nextInt(NOISE.length)];
                }
            }
            default -> {
                int at = random.nextInt(bytes.length);
                byte[] longer = new byte[bytes.length + 20];
                System.arraycopy(bytes, 0, longer, 0, at);
                for (int i = 0; i < 20; i++) {
                    longer[at + i] = NOISE[random.nextInt(NOISE.length)];
                }
                System.arraycopy(bytes, at, longer, at + 20, bytes.length - at);
                bytes = longer;
            }
        }
        return bytes;
    }

    /** Parentheses balance outside quoted strings and literals, and every literal carries the bytes it announces. */
    private static void assertWellFormed(String answer) {
        int depth = 0;
        for (int i = 0; i < answer.length(); i++) {
            char c = answer.charAt(i);
            if (c == '"') {
                i++;
                while (answer.charAt(i) != '"') {
                    if (answer.charAt(i) == '\\') {
                        i++;
                    }
                    assertThat(answer.charAt(i)).isNotIn('\r', '\n');
                    i++;
                }
            } else if (c == '{' && (i == 0 || answer.charAt(i - 1) == ' ' || answer.charAt(i - 1) == '~' || answer.charAt(i - 1) == '(')) {
                int close = answer.indexOf("}\r\n", i);
                int length = Integer.parseInt(answer.substring(i + 1, close));
                i = close + 2 + length;
                assertThat(i).isLessThan(answer.length() + 1);
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                assertThat(depth).isNotNegative();
            }
        }
        assertThat(depth).as(answer).isZero();
    }
}
