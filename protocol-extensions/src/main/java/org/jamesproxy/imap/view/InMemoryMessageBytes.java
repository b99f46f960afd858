package org.jamesproxy.imap.view;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/** Bytes of an array it took over: not copied (a 10 MB copy per message was a large part of a view's cost). */
final class InMemoryMessageBytes implements MessageBytes {
    private final byte[] bytes;

    InMemoryMessageBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public long length() {
        return bytes.length;
    }

    @Override
    public InputStream open() {
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public InputStream open(long offset, long length) {
        int from = (int) Math.min(Math.max(offset, 0), bytes.length);
        int len = (int) Math.min(Math.max(length, 0), bytes.length - from);
        return new ByteArrayInputStream(bytes, from, len);
    }

    @Override
    public void copyTo(long offset, long length, ByteBuf out) {
        check(offset, length);
        out.writeBytes(bytes, (int) offset, (int) length);
    }

    @Override
    public ByteBuf slice(long offset, int length, ByteBufAllocator allocator) {
        check(offset, length);
        return Unpooled.wrappedBuffer(bytes, (int) offset, length);
    }

    @Override
    public byte[] read(long offset, int length) {
        check(offset, length);
        return Arrays.copyOfRange(bytes, (int) offset, (int) offset + length);
    }

    private void check(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " outside " + bytes.length + " bytes");
        }
    }

    @Override
    public boolean isSpilled() {
        return false;
    }

    @Override
    public void release() {
        // nothing held outside the heap
    }
}
