package org.jamesproxy.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;

/**
 * What one leg received and the relay has not consumed yet, for any line protocol. Lines and byte runs are
 * handed out as retained slices (no copy); what stays is exactly what a STARTTLS boundary must inspect.
 */
public final class InputBuffer {
    /** A line longer than the bound: a protocol error, never an OutOfMemoryError. */
    public static final class LineTooLongException extends Exception {
        public LineTooLongException(int limit) {
            super("line longer than " + limit + " bytes");
        }
    }

    private final ByteBufAllocator allocator;
    private final int maxLineLength;
    private ByteBuf cumulation = Unpooled.EMPTY_BUFFER;

    public InputBuffer(ByteBufAllocator allocator, int maxLineLength) {
        this.allocator = allocator;
        this.maxLineLength = maxLineLength;
    }

    /** Takes ownership of {@code received}. */
    public void add(ByteBuf received) {
        cumulation = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(allocator, cumulation, received);
    }

    /** @return the next line including its LF (and CR), or null when no complete line is buffered */
    public ByteBuf nextLine() throws LineTooLongException {
        int lf = cumulation.forEachByte(ByteProcessor.FIND_LF);
        if (lf < 0) {
            if (cumulation.readableBytes() > maxLineLength) {
                throw new LineTooLongException(maxLineLength);
            }
            compact();
            return null;
        }
        int length = lf - cumulation.readerIndex() + 1;
        if (length > maxLineLength) {
            throw new LineTooLongException(maxLineLength);
        }
        return cumulation.readRetainedSlice(length);
    }

    /** @return up to {@code max} buffered bytes, or null when nothing is buffered */
    public ByteBuf nextBytes(long max) {
        if (!cumulation.isReadable()) {
            compact();
            return null;
        }
        return cumulation.readRetainedSlice((int) Math.min(max, cumulation.readableBytes()));
    }

    /** What was received but not taken. */
    public ByteBuf unconsumed() {
        return cumulation;
    }

    public boolean hasBufferedBytes() {
        return cumulation.isReadable();
    }

    private void compact() {
        if (!cumulation.isReadable()) {
            cumulation.release();
            cumulation = Unpooled.EMPTY_BUFFER;
        } else if (cumulation.refCnt() == 1) {
            cumulation.discardSomeReadBytes();
        }
    }

    public void release() {
        if (cumulation.refCnt() > 0) {
            cumulation.release();
        }
        cumulation = Unpooled.EMPTY_BUFFER;
    }
}
