package org.jamesproxy.mime;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts the bytes decoded or decompressed for one message against {@link MimeLimits#getMaxDecodedSize()}. */
final class DecodedBudget {
    /** Thrown from a counted stream's read when the budget is spent. */
    static final class ExceededException extends IOException {
        ExceededException(long limit) {
            super("decoded and decompressed content exceeds maxDecodedSize (" + limit + " bytes)");
        }
    }

    private final long limit;
    private long used;

    DecodedBudget(long limit) {
        this.limit = limit;
    }

    InputStream count(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    spend(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int read = super.read(buffer, offset, length);
                if (read > 0) {
                    spend(read);
                }
                return read;
            }

            @Override
            public long skip(long n) throws IOException {
                // Skipped bytes are decoded too: read them so they are counted.
                byte[] sink = new byte[(int) Math.min(n, 8192)];
                int read = read(sink, 0, sink.length);
                return Math.max(read, 0);
            }

            @Override
            public boolean markSupported() {
                return false;
            }

            @Override
            public void close() {
                // The underlying stream belongs to the caller (archive entries: the enclosing ZipInputStream).
            }
        };
    }

    private void spend(long bytes) throws ExceededException {
        used += bytes;
        if (used > limit) {
            throw new ExceededException(limit);
        }
    }
}
