package org.jamesproxy.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * The bytes of one message on its way to inspection. Past its limit it keeps only the start of the message, which
 * is what a deny notice quotes (From, Subject, Message-ID), so a relay never holds more than the bound. Chunks are
 * copied, so that the read buffers they came from are released at once.
 */
public final class MessageCollector {
    /** What is kept of a message too large to inspect: enough for the header section a deny notice quotes. */
    public static final int NOTICE_HEADER_BYTES = 64 * 1024;
    private static final int INITIAL_CAPACITY = 16 * 1024;

    private final long limit;
    private ByteBuf bytes;
    private long received;
    private boolean headOnly;

    /**
     * @param limit the size above which the message is over the limit; the chunk that crosses it is still kept
     *              whole, so that a relay that lets an oversize message pass has every byte so far
     * @param expectedSize the size announced by the protocol (an IMAP literal), or -1: the buffer is sized once
     */
    public MessageCollector(long limit, long expectedSize) {
        this.limit = limit;
        this.bytes = Unpooled.buffer(expectedSize >= 0 && expectedSize <= limit ? (int) expectedSize : INITIAL_CAPACITY);
    }

    /** A collector that keeps only the start of the message from the first byte on (its size is known to be over). */
    public static MessageCollector headOnly() {
        MessageCollector collector = new MessageCollector(-1, -1);
        collector.headOnly = true;
        return collector;
    }

    /** Takes ownership of {@code chunk}. */
    public void add(ByteBuf chunk) {
        try {
            received += chunk.readableBytes();
            if (!headOnly) {
                bytes.writeBytes(chunk);
                return;
            }
            int room = NOTICE_HEADER_BYTES - bytes.readableBytes();
            if (room > 0) {
                bytes.writeBytes(chunk, Math.min(room, chunk.readableBytes()));
            }
        } finally {
            chunk.release();
        }
    }

    /** From now on only the start of the message is kept (it will be replaced by a deny notice). */
    public void keepHeadOnly() {
        headOnly = true;
        if (bytes.readableBytes() > NOTICE_HEADER_BYTES) {
            bytes.writerIndex(bytes.readerIndex() + NOTICE_HEADER_BYTES);
        }
    }

    /** True once more than the limit arrived. */
    public boolean isOverLimit() {
        return received > limit;
    }

    public long received() {
        return received;
    }

    /** What was kept, as an array (without a copy when the announced size was right); the collector is released. */
    public byte[] take() {
        byte[] array = bytes.array();
        byte[] content = bytes.arrayOffset() == 0 && bytes.readerIndex() == 0 && bytes.writerIndex() == array.length
            ? array
            : ByteBufUtil.getBytes(bytes);
        release();
        return content;
    }

    public void release() {
        if (bytes != null) {
            bytes.release();
            bytes = null;
        }
    }
}
