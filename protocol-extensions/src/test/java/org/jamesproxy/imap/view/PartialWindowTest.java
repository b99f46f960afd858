package org.jamesproxy.imap.view;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Reassembling {@code <origin.count>} windows, the way Thunderbird (64 KiB) and javax.mail (16 KiB) download, gives
 * exactly the section's bytes, for sizes on and around the window edges, for the whole message and for a part.
 */
class PartialWindowTest {
    private static final int[] WINDOWS = {16 * 1024, 64 * 1024};

    @Test
    void windowsOfTheWholeMessageAndOfAPartReassembleExactly() throws Exception {
        Random random = new Random(11);
        for (int window : WINDOWS) {
            for (int size : new int[] {1, window - 1, window, window + 1, 2 * window - 1, 2 * window, 2 * window + 1, 3 * window + 17}) {
                String attachment = randomBase64Lines(random, size);
                String message = "Subject: w\r\nContent-Type: multipart/mixed; boundary=w\r\n\r\n--w\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                    + "--w\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" + attachment + "\r\n--w--\r\n";
                InspectedView view = ViewAnswers.view(message);
                assertThat(reassemble(view, "BODY.PEEK[]", window)).as("whole, window %d, part %d", window, size).isEqualTo(message);
                assertThat(reassemble(view, "BODY.PEEK[2]", window)).as("part, window %d, size %d", window, size).isEqualTo(attachment);
                assertThat(reassemble(view, "BODY.PEEK[TEXT]", window)).isEqualTo(message.substring(message.indexOf("\r\n\r\n") + 4));
                String exact = exactSized(size);
                assertThat(reassemble(ViewAnswers.view(exact), "BODY.PEEK[]", window)).as("message of %d bytes", exact.length()).isEqualTo(exact);
            }
        }
    }

    /** Fetches {@code item<k*window.window>} until a short (or empty) chunk, as clients do. */
    private static String reassemble(InspectedView view, String item, int window) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (long origin = 0; ; origin += window) {
            List<ViewItem> items = FetchRequest.parse(item + "<" + origin + "." + window + ">").viewItems();
            ByteBuf out = Unpooled.buffer();
            view.writeItems(items, out);
            String answer = out.toString(ISO_8859_1);
            out.release();
            String prefix = items.get(0).responseName() + " {";
            assertThat(answer).startsWith(prefix);
            int close = answer.indexOf("}\r\n");
            int length = Integer.parseInt(answer.substring(prefix.length(), close));
            String chunk = answer.substring(close + 3);
            assertThat(chunk).hasSize(length);
            all.writeBytes(chunk.getBytes(ISO_8859_1));
            if (length < window) {
                return all.toString(ISO_8859_1);
            }
        }
    }

    private static String randomBase64Lines(Random random, int size) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        StringBuilder text = new StringBuilder(size);
        while (text.length() < size) {
            if (text.length() % 78 == 76 && text.length() + 2 <= size) {
                text.append("\r\n");
            } else {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
        }
        return text.substring(0, size);
    }

    private static String exactSized(int size) {
        String header = "Subject: exact\r\n\r\n";
        return header + "x".repeat(Math.max(0, size - header.length()));
    }
}
