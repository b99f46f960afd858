package org.jamesproxy.imap.view;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Message bytes in a file, read with positional reads on one channel. {@link #release()} unlinks the file at once
 * and closes the channel {@link #GRACE} later: a session that got the view just before its eviction finishes
 * writing the response it is serving, and the disk space and descriptor still come back on time whatever the GC
 * does. A channel never released is closed when this instance becomes unreachable.
 */
final class SpilledMessageBytes implements MessageBytes {
    private static final Cleaner CLEANER = Cleaner.create();
    /** How long a released spill file stays readable through the views already handed out. */
    static final Duration GRACE = Duration.ofSeconds(30);
    private static final ScheduledExecutorService CLOSER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "imap-view-spill-closer");
        thread.setDaemon(true);
        return thread;
    });

    private final Path file;
    private final FileChannel channel;
    private final long length;
    private final AtomicBoolean released = new AtomicBoolean();
    /** Responses being written chunk by chunk from this file: the channel outlives the grace period for them. */
    private final AtomicInteger pins = new AtomicInteger();

    private SpilledMessageBytes(Path file, FileChannel channel, long length) {
        this.file = file;
        this.channel = channel;
        this.length = length;
    }

    static SpilledMessageBytes open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        SpilledMessageBytes bytes = new SpilledMessageBytes(file, channel, channel.size());
        CLEANER.register(bytes, () -> closeQuietly(channel));
        return bytes;
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do for a channel being collected
        }
    }

    Path file() {
        return file;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public InputStream open() {
        return open(0, length);
    }

    @Override
    public InputStream open(long offset, long len) {
        long from = Math.min(Math.max(offset, 0), length);
        long end = from + Math.min(Math.max(len, 0), length - from);
        return new InputStream() {
            private long position = from;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int l) throws IOException {
                if (position >= end) {
                    return -1;
                }
                int wanted = (int) Math.min(l, end - position);
                int n = channel.read(ByteBuffer.wrap(b, off, wanted), position);
                if (n < 0) {
                    return -1;
                }
                position += n;
                return n;
            }

            @Override
            public long skip(long n) {
                long skipped = Math.max(0, Math.min(n, end - position));
                position += skipped;
                return skipped;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, end - position);
            }
        };
    }

    @Override
    public void copyTo(long offset, long len, ByteBuf out) throws IOException {
        check(offset, len);
        long position = offset;
        long remaining = len;
        while (remaining > 0) {
            int n = out.writeBytes(channel, position, (int) Math.min(remaining, 1 << 20));
            if (n < 0) {
                throw new IOException("spill file " + file + " shorter than expected");
            }
            position += n;
            remaining -= n;
        }
    }

    @Override
    public ByteBuf slice(long offset, int len, ByteBufAllocator allocator) throws IOException {
        check(offset, len);
        ByteBuf out = allocator.buffer(len);
        try {
            copyTo(offset, len, out);
            return out;
        } catch (IOException | RuntimeException e) {
            out.release();
            throw e;
        }
    }

    @Override
    public void pin() {
        pins.incrementAndGet();
    }

    @Override
    public void unpin() {
        pins.decrementAndGet();
    }

    @Override
    public byte[] read(long offset, int len) throws IOException {
        check(offset, len);
        byte[] bytes = new byte[len];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                throw new IOException("spill file " + file + " shorter than expected");
            }
        }
        return bytes;
    }

    private void check(long offset, long len) {
        if (offset < 0 || len < 0 || offset + len > length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + len + " outside " + length + " bytes");
        }
    }

    @Override
    public boolean isSpilled() {
        return true;
    }

    @Override
    public void release() {
        if (released.compareAndSet(false, true)) {
            scheduleClose();
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete spill file " + file, e);
            }
        }
    }

    /** Closes the channel once the grace period is over and no response is being written from the file. */
    private void scheduleClose() {
        CLOSER.schedule(() -> {
            if (pins.get() > 0) {
                scheduleClose();
            } else {
                closeQuietly(channel);
            }
        }, GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Closes the channel now (tests of what a reader sees after the grace period). */
    void closeNow() {
        closeQuietly(channel);
    }
}
