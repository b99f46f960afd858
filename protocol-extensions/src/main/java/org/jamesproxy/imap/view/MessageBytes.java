package org.jamesproxy.imap.view;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The bytes of one inspected message, held in memory or in a spill file. Reads are positional, so one instance
 * serves several sessions at once.
 */
public interface MessageBytes {

    /** Takes {@code bytes} over, not copied: nothing may write to the array afterwards. */
    static MessageBytes inMemory(byte[] bytes) {
        return new InMemoryMessageBytes(bytes);
    }

    /**
     * Reads an existing file, opened now. After {@link #release()} unlinked it, it stays readable through this
     * instance for 30 seconds (a view handed out just before an eviction finishes its response); reads after that
     * fail with an IOException.
     */
    static MessageBytes spilled(Path file) throws IOException {
        return SpilledMessageBytes.open(file);
    }

    long length();

    InputStream open() throws IOException;

    /** The bytes [offset, offset + length), clamped to the end. */
    InputStream open(long offset, long length) throws IOException;

    /** Appends the bytes [offset, offset + length) to {@code out}; the range must lie within the message. */
    void copyTo(long offset, long length, ByteBuf out) throws IOException;

    /**
     * The bytes [offset, offset + length) as a buffer of their own: the bytes themselves, not copied, when they are
     * in memory (a large answer costs no copy), read from the file otherwise. The range must lie within the message.
     */
    ByteBuf slice(long offset, int length, ByteBufAllocator allocator) throws IOException;

    /**
     * A reader is about to take ranges over a while (a response written chunk by chunk): a spill file stays readable
     * until {@link #unpin}, even past its release. Each pin is undone once.
     */
    default void pin() {
    }

    default void unpin() {
    }

    /** The bytes [offset, offset + length) as an array; the range must lie within the message. */
    byte[] read(long offset, int length) throws IOException;

    boolean isSpilled();

    /** Deletes the spill file, its descriptor closed after the grace period (in-memory bytes: nothing to do). Idempotent. */
    void release();
}
