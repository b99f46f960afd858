package org.jamesproxy.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads daemon replies with a hard cap on what is buffered: a broken or hostile daemon cannot make us allocate. */
public final class BoundedReader {
    /** The reply was longer than the cap. */
    public static final class ReplyTooLongException extends IOException {
        public ReplyTooLongException(int limit) {
            super("reply longer than " + limit + " bytes");
        }
    }

    private BoundedReader() {
    }

    /**
     * Bytes up to (excluded) {@code terminator} or the end of the stream, whichever comes first; an empty stream
     * gives an empty string.
     */
    public static String readUntil(InputStream in, int terminator, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != terminator) {
            if (out.size() >= limit) {
                throw new ReplyTooLongException(limit);
            }
            out.write(b);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** One line without its CR LF (or LF); null at the end of the stream before any byte. */
    public static String readLine(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        boolean any = false;
        while ((b = in.read()) != -1) {
            any = true;
            if (b == '\n') {
                break;
            }
            if (out.size() >= limit) {
                throw new ReplyTooLongException(limit);
            }
            out.write(b);
        }
        if (!any) {
            return null;
        }
        String line = out.toString(StandardCharsets.ISO_8859_1);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** Exactly {@code length} bytes (fewer if the stream ends first); {@code length} must be within the cap. */
    public static byte[] readExactly(InputStream in, int length, int limit) throws IOException {
        if (length > limit) {
            throw new ReplyTooLongException(limit);
        }
        return in.readNBytes(length);
    }
}
