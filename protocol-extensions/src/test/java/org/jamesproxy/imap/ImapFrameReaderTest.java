package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.jamesproxy.relay.InputBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

class ImapFrameReaderTest {
    private final ImapFrameReader reader = new ImapFrameReader(ByteBufAllocator.DEFAULT, 100);

    @AfterEach
    void tearDown() {
        reader.release();
    }

    private void feed(String text) {
        reader.add(Unpooled.copiedBuffer(text, US_ASCII));
    }

    private List<String> drain() throws Exception {
        List<String> frames = new ArrayList<>();
        ImapFrame frame;
        while ((frame = reader.next()) != null) {
            String text = frame.content().toString(US_ASCII);
            frame.content().release();
            if (frame.isLiteralChunk()) {
                frames.add("LITERAL:" + text + (frame.isLastChunk() ? "|last" : ""));
            } else {
                frames.add("LINE:" + text.trim() + (frame.announcesLiteral() ? "|literal=" + frame.announcedLiteral()
                    + (frame.isNonSynchronizing() ? "+" : "") + (frame.isBinary() ? "~" : "") : ""));
                if (frame.announcesLiteral()) {
                    reader.expectLiteral(frame.announcedLiteral());
                }
            }
        }
        return frames;
    }

    @Test
    void readerShouldCutPipelinedLines() throws Exception {
        feed("a1 NOOP\r\na2 CAPABILITY\r\na3 LOG");

        assertThat(drain()).containsExactly("LINE:a1 NOOP", "LINE:a2 CAPABILITY");
        feed("OUT\r\n");
        assertThat(drain()).containsExactly("LINE:a3 LOGOUT");
    }

    @Test
    void readerShouldRecogniseSynchronisingNonSynchronisingAndBinaryLiterals() throws Exception {
        feed("a LOGIN {5}\r\nalice {6+}\r\nsecret\r\n* 1 FETCH (BINARY[] ~{3}\r\nabc)\r\n");

        assertThat(drain()).containsExactly(
            "LINE:a LOGIN {5}|literal=5",
            "LITERAL:alice|last",
            "LINE:{6+}|literal=6+",
            "LITERAL:secret|last",
            "LINE:",
            "LINE:* 1 FETCH (BINARY[] ~{3}|literal=3~",
            "LITERAL:abc|last",
            "LINE:)");
    }

    @Test
    void literalBytesShouldNeverBeReadAsLinesEvenWhenTheyContainCrlf() throws Exception {
        feed("* 1 FETCH (BODY[] {12}\r\nA\r\nb2 LOGOUT");
        assertThat(drain()).containsExactly("LINE:* 1 FETCH (BODY[] {12}|literal=12", "LITERAL:A\r\nb2 LOGOUT|last");
    }

    @Test
    void literalShouldArriveInChunksAsBytesCome() throws Exception {
        feed("* 1 FETCH (BODY[] {10}\r\n0123");
        assertThat(drain()).containsExactly("LINE:* 1 FETCH (BODY[] {10}|literal=10", "LITERAL:0123");
        feed("456789)\r\n");
        assertThat(drain()).containsExactly("LITERAL:456789|last", "LINE:)");
    }

    @Test
    void braceInsideTextShouldNotBeTakenForALiteral() throws Exception {
        feed("* OK text {not a literal}\r\na OK {12a}\r\n");
        assertThat(drain()).containsExactly("LINE:* OK text {not a literal}", "LINE:a OK {12a}");
    }

    @Test
    void overlongLineShouldFailWithoutBufferingForever() {
        feed("a".repeat(150));
        assertThatThrownBy(reader::next).isInstanceOf(InputBuffer.LineTooLongException.class);
    }

    @Test
    void unconsumedShouldExposeBytesLeftAfterTheLastFrameTaken() throws Exception {
        feed("a STARTTLS\r\nb NOOP\r\n");
        ImapFrame first = reader.next();
        first.content().release();

        assertThat(reader.unconsumed().toString(US_ASCII)).isEqualTo("b NOOP\r\n");
        assertThat(reader.hasBufferedBytes()).isTrue();
    }
}
