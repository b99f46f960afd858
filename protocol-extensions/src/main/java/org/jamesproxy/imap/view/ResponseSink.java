package org.jamesproxy.imap.view;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Where a view's answer goes: straight into one buffer, or into segments read later chunk by chunk. */
abstract class ResponseSink {

    /** Small text (names, literal announcements, structures). */
    abstract ByteBuf text();

    /** Bytes built for the answer (HEADER.FIELDS, decoded BINARY). */
    abstract void bytes(byte[] bytes, int offset, int length);

    /** A range of the message's own bytes. */
    abstract void range(long offset, long length) throws IOException;

    static final class Direct extends ResponseSink {
        private final ByteBuf out;
        private final MessageBytes message;

        Direct(ByteBuf out, MessageBytes message) {
            this.out = out;
            this.message = message;
        }

        @Override
        ByteBuf text() {
            return out;
        }

        @Override
        void bytes(byte[] bytes, int offset, int length) {
            out.writeBytes(bytes, offset, length);
        }

        @Override
        void range(long offset, long length) throws IOException {
            message.copyTo(offset, length, out);
        }
    }

    /** Segments for {@link ViewResponse}: text and built bytes held, message ranges read when the chunks are. */
    static final class Segments extends ResponseSink {
        private final MessageBytes message;
        private final List<ViewResponse.Segment> segments = new ArrayList<>();
        private ByteBuf text = Unpooled.buffer(256);

        Segments(MessageBytes message) {
            this.message = message;
        }

        @Override
        ByteBuf text() {
            return text;
        }

        @Override
        void bytes(byte[] bytes, int offset, int length) {
            flushText();
            segments.add(ViewResponse.Segment.ofBytes(bytes, offset, length));
        }

        @Override
        void range(long offset, long length) {
            flushText();
            segments.add(ViewResponse.Segment.ofRange(message, offset, length));
        }

        private void flushText() {
            if (text.isReadable()) {
                byte[] bytes = new byte[text.readableBytes()];
                text.readBytes(bytes);
                segments.add(ViewResponse.Segment.ofBytes(bytes, 0, bytes.length));
            }
            text = Unpooled.buffer(256);
        }

        List<ViewResponse.Segment> finish() {
            flushText();
            return List.copyOf(segments);
        }
    }
}
