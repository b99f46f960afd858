package org.jamesproxy.engine.clamav;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Frames what is written into clamd {@code INSTREAM} chunks ({@code <4-byte big-endian length><bytes>}) and stops at
 * a byte limit: the write that would cross it sends what fits, marks the stream truncated and throws
 * {@link LimitReachedException} so the writer stops early instead of producing bytes nobody reads. Holds at most one
 * chunk; a caller's array of a chunk or more is framed in place, without a copy.
 * Failures of the underlying socket are remembered ({@link #socketFailure()}) so the client can tell them from a
 * failure of the data source, even when a writer wraps the exception.
 */
final class InstreamOutputStream extends OutputStream {
    /** Thrown once the byte limit is reached. */
    static final class LimitReachedException extends IOException {
        LimitReachedException(long limit) {
            super("scan limit of " + limit + " bytes reached");
        }
    }

    private final OutputStream socket;
    private final long maxBytes;
    private final byte[] chunk;
    private int filled;
    private long count;
    private boolean truncated;
    private IOException socketFailure;

    InstreamOutputStream(OutputStream socket, int chunkSize, long maxBytes) {
        this.socket = socket;
        this.maxBytes = maxBytes;
        this.chunk = new byte[chunkSize];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (truncated) {
            throw new LimitReachedException(maxBytes);
        }
        int accepted = (int) Math.min(length, maxBytes - count);
        int position = offset;
        int remaining = accepted;
        while (remaining > 0) {
            if (filled == 0 && remaining >= chunk.length) {
                sendChunk(bytes, position, chunk.length);
                position += chunk.length;
                remaining -= chunk.length;
            } else {
                int copied = Math.min(remaining, chunk.length - filled);
                System.arraycopy(bytes, position, chunk, filled, copied);
                filled += copied;
                position += copied;
                remaining -= copied;
                if (filled == chunk.length) {
                    sendChunk(chunk, 0, filled);
                    filled = 0;
                }
            }
        }
        count += accepted;
        if (accepted < length) {
            truncated = true;
            throw new LimitReachedException(maxBytes);
        }
    }

    /** Sends what is buffered and the zero-length chunk that ends the stream. */
    void finish() throws IOException {
        if (filled > 0) {
            sendChunk(chunk, 0, filled);
            filled = 0;
        }
        guarded(() -> {
            socket.write(new byte[4]);
            socket.flush();
        });
    }

    /** Bytes accepted (sent or buffered). */
    long count() {
        return count;
    }

    /** Whether the writer offered more than the limit. */
    boolean truncated() {
        return truncated;
    }

    IOException socketFailure() {
        return socketFailure;
    }

    private void sendChunk(byte[] bytes, int offset, int length) throws IOException {
        guarded(() -> {
            socket.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
            socket.write(bytes, offset, length);
        });
    }

    private interface SocketWrite {
        void run() throws IOException;
    }

    private void guarded(SocketWrite write) throws IOException {
        try {
            write.run();
        } catch (IOException e) {
            socketFailure = e;
            throw e;
        }
    }

    @Override
    public void flush() {
        // Chunks go out when full or at finish(): flushing a writer's small pieces would only fragment the stream.
    }
}
