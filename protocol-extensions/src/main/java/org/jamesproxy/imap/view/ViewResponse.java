package org.jamesproxy.imap.view;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;

/**
 * A view's answer to some items, taken chunk by chunk ({@link InspectedView#response}): what is held is the text
 * around the values and the positions of the message's bytes, never a copy of a large section. A chunk of the
 * message's bytes is the bytes themselves when they are in memory (no copy), read from the spill file otherwise; the
 * spill file stays readable until the response is closed. Single consumer; {@link #close} once done or abandoned
 * (Netty's ChunkedWriteHandler does both).
 */
public final class ViewResponse implements ChunkedInput<ByteBuf> {
    private final List<Segment> segments;
    private final int chunkSize;
    private final long length;
    private final MessageBytes pinned;
    private int index;
    private long inSegment;
    private long progress;
    private boolean closed;

    /** A piece of the answer: built bytes, or a range of the message. */
    record Segment(byte[] bytes, int offset, MessageBytes message, long start, long length) {
        static Segment ofBytes(byte[] bytes, int offset, int length) {
            return new Segment(bytes, offset, null, 0, length);
        }

        static Segment ofRange(MessageBytes message, long start, long length) {
            return new Segment(null, 0, message, start, length);
        }
    }

    ViewResponse(List<Segment> segments, int chunkSize, MessageBytes message) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive: " + chunkSize);
        }
        this.segments = segments;
        this.chunkSize = chunkSize;
        this.length = segments.stream().mapToLong(Segment::length).sum();
        this.pinned = message;
        message.pin();
    }

    /** The answer's total length in bytes. */
    @Override
    public long length() {
        return length;
    }

    @Override
    public long progress() {
        return progress;
    }

    @Override
    public boolean isEndOfInput() {
        return progress >= length;
    }

    @Override
    public void close() {
        index = segments.size();
        progress = length;
        if (!closed) {
            closed = true;
            pinned.unpin();
        }
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext ctx) {
        return readChunk(ctx.alloc());
    }

    /** The next chunk, of at most the chunk size and from one segment, or null at the end. */
    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) {
        if (isEndOfInput()) {
            return null;
        }
        Segment segment = segments.get(index);
        int n = (int) Math.min(chunkSize, segment.length() - inSegment);
        ByteBuf chunk;
        if (segment.bytes() != null) {
            chunk = allocator.buffer(n);
            chunk.writeBytes(segment.bytes(), segment.offset() + (int) inSegment, n);
        } else {
            try {
                chunk = segment.message().slice(segment.start() + inSegment, n, allocator);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the inspected message", e);
            }
        }
        inSegment += n;
        progress += n;
        if (inSegment == segment.length()) {
            index++;
            inSegment = 0;
        }
        return chunk;
    }
}
