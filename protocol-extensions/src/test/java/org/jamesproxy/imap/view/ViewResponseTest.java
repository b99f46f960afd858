package org.jamesproxy.imap.view;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/** The chunked answer carries exactly the bytes writeItems appends, whatever the chunk size, and never a chunk larger. */
class ViewResponseTest {
    private static final String ITEMS = "(RFC822.SIZE BODY.PEEK[] BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (Subject From)] BODY.PEEK[2]<3.11> "
        + "BINARY.PEEK[2] BINARY.SIZE[2] BODY.PEEK[9] BODY BODY.PEEK[1.MIME])";

    @Test
    void chunksReassembleToWhatWriteItemsWrites(@TempDir Path dir) throws Exception {
        List<ViewItem> items = FetchRequest.parse(ITEMS).viewItems();
        for (String message : ViewMessages.all().values()) {
            Path file = Files.createTempFile(dir, "m", ".eml");
            Files.write(file, message.getBytes(ISO_8859_1));
            for (InspectedView view : List.of(ViewAnswers.view(message), InspectedView.of(MessageBytes.spilled(file)))) {
                ByteBuf direct = Unpooled.buffer();
                view.writeItems(items, direct);
                String expected = direct.toString(ISO_8859_1);
                direct.release();
                for (int chunkSize : new int[] {1, 7, 64, 100_000}) {
                    ViewResponse response = view.response(items, chunkSize);
                    assertThat(response.length()).isEqualTo(expected.length());
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    ByteBuf chunk;
                    while ((chunk = response.readChunk(ByteBufAllocator.DEFAULT)) != null) {
                        assertThat(chunk.readableBytes()).isBetween(1, chunkSize);
                        byte[] bytes = new byte[chunk.readableBytes()];
                        chunk.readBytes(bytes);
                        chunk.release();
                        all.writeBytes(bytes);
                    }
                    assertThat(response.isEndOfInput()).isTrue();
                    assertThat(response.progress()).isEqualTo(expected.length());
                    assertThat(all.toString(ISO_8859_1)).isEqualTo(expected);
                }
            }
        }
    }
}
