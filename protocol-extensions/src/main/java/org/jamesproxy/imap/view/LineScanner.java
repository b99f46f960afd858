package org.jamesproxy.imap.view;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the lines of a byte range one at a time, remembering where each starts and only its first bytes (a bound
 * whatever the line length): enough to recognise a boundary or collect a header.
 */
final class LineScanner implements AutoCloseable {
    private final InputStream in;
    private final byte[] prefix;
    private long position;
    private long lineStart;
    private int prefixLength;
    private int terminatorLength;
    private long lineFeeds;

    LineScanner(MessageBytes bytes, long start, long end, int prefixBound) throws IOException {
        this.in = new BufferedInputStream(bytes.open(start, end - start), 64 * 1024);
        this.prefix = new byte[prefixBound];
        this.position = start;
    }

    /** Reads the next line; false at the end of the range. */
    boolean next() throws IOException {
        lineStart = position;
        prefixLength = 0;
        terminatorLength = 0;
        int b;
        int previous = -1;
        while ((b = in.read()) >= 0) {
            position++;
            if (b == '\n') {
                lineFeeds++;
                terminatorLength = previous == '\r' ? 2 : 1;
                return true;
            }
            if (prefixLength < prefix.length) {
                prefix[prefixLength++] = (byte) b;
            }
            previous = b;
        }
        return position > lineStart;
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
