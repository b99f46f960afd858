package org.jamesproxy.imap.view;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The bytes of one inspected message, held in memory or in a spill file.
 */
public interface MessageBytes {

    static MessageBytes inMemory(byte[] bytes) {
        throw new UnsupportedOperationException("skeleton");
    }

    static MessageBytes spilled(Path file) throws IOException {
        throw new UnsupportedOperationException("skeleton");
    }

    long length();

    InputStream open() throws IOException;

    /** The bytes [offset, offset + length), clamped to the end. */
    InputStream open(long offset, long length) throws IOException;

    boolean isSpilled();

    void release();
}
