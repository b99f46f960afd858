package org.jamesproxy.imap.view;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the lines of a byte range one at a time, remembering where each starts and only its first bytes (a bound
 * whatever the line length): enough to recognise a boundary or collect a header.
 */
final class LineScanner implements AutoCloseable {
    private final InputStream in;
    private final byte[] buffer;
    private int bufferPosition;
    private int bufferLimit;
    private final byte[] prefix;
    private long position;
    private long lineStart;
    private int prefixLength;
    private int terminatorLength;
    private long lineFeeds;

    LineScanner(MessageBytes bytes, long start, long end, int prefixBound) throws IOException {
        this.in = bytes.open(start, end - start);
        // sized to the range: a message with thousands of small parts must not allocate 64 KiB per part
        long length = Math.max(0, end - start);
        this.prefix = new byte[(int) Math.max(1, Math.min(prefixBound, length))];
        this.buffer = new byte[(int) Math.max(1, Math.min(64 * 1024, length))];
        this.position = start;
    }

    /** Reads the next line; false at the end of the range. */
    boolean next() throws IOException {
        lineStart = position;
        prefixLength = 0;
        terminatorLength = 0;
        int previous = -1;
        while (true) {
            if (bufferPosition == bufferLimit && !fill()) {
                return position > lineStart;
            }
            int i = bufferPosition;
            int limit = bufferLimit;
            byte[] bytes = buffer;
            while (i < limit && bytes[i] != '\n') {
                i++;
            }
            int run = i - bufferPosition;
            if (run > 0) {
                int copy = Math.min(run, prefix.length - prefixLength);
                if (copy > 0) {
                    System.arraycopy(bytes, bufferPosition, prefix, prefixLength, copy);
                    prefixLength += copy;
                }
                previous = bytes[i - 1];
                position += run;
            }
            bufferPosition = i;
            if (i < limit) {
                bufferPosition++;
                position++;
                lineFeeds++;
                terminatorLength = previous == '\r' ? 2 : 1;
                return true;
            }
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        bufferPosition = 0;
        bufferLimit = n;
        return true;
    }

    long lineStart() {
        return lineStart;
    }

    /** Offset just past the line terminator. */
    long lineEnd() {
        return position;
    }

    /** Length of the content, without terminator. */
    long contentLength() {
        return position - lineStart - terminatorLength;
    }

    int terminatorLength() {
        return terminatorLength;
    }

    /** True when the whole content is within the prefix bound. */
    boolean complete() {
        return contentLength() <= prefix.length;
    }

    byte[] prefix() {
        return prefix;
    }

    int prefixLength() {
        return (int) Math.min(prefixLength, contentLength());
    }

    long lineFeeds() {
        return lineFeeds;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
