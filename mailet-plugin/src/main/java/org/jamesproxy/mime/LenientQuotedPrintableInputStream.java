package org.jamesproxy.mime;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;

/**
 * Quoted-printable decoded as the most lenient mainstream readers do (RFC 2045 6.7 and its "robust decoder" notes),
 * so that the scanner sees what a recipient's client can obtain:
 * <ul>
 *   <li>{@code =} followed by blanks and then the line break is a soft line break: the blanks are transport padding
 *       and are dropped with it (javax.mail's decoder keeps {@code =} and the line break there, which turned a 68-byte
 *       file into 69 bytes);</li>
 *   <li>{@code =XY} with hexadecimal digits of either case is the byte; any other {@code =} is kept literally;</li>
 *   <li>blanks at the end of a line (before a hard line break) are transport padding and dropped;</li>
 *   <li>line breaks (CRLF or a bare LF) are kept as they are.</li>
 * </ul>
 * Bounded: a run of blanks is held back at most {@value #MAX_BLANKS} bytes (RFC 2045 lines are at most 76); a longer
 * run is passed on as data.
 */
final class LenientQuotedPrintableInputStream extends InputStream {
    private static final int MAX_BLANKS = 998;

    private final PushbackInputStream in;
    /** Decoded bytes waiting to be returned (held-back blanks that turned out to be data). */
    private final byte[] pending = new byte[MAX_BLANKS + 2];
    private int pendingStart;
    private int pendingEnd;

    LenientQuotedPrintableInputStream(InputStream in) {
        this.in = new PushbackInputStream(in, MAX_BLANKS + 2);
    }

    @Override
    public int read() throws IOException {
        while (true) {
            if (pendingStart < pendingEnd) {
                return pending[pendingStart++] & 0xff;
            }
            int c = in.read();
            if (c != '=' && c != ' ' && c != '\t') {
                return c;
            }
            if (c == '=') {
                int decoded = afterEquals();
                if (decoded != SOFT_BREAK) {
                    return decoded;
                }
                continue;
            }
            blanks(c);
        }
    }

    private static final int SOFT_BREAK = -2;

    /** After {@code =}: a byte, a literal {@code =}, or a soft break (nothing). */
    private int afterEquals() throws IOException {
        int first = in.read();
        if (first == '\n') {
            return SOFT_BREAK;
        }
        if (first == '\r') {
            int next = in.read();
            if (next != '\n' && next >= 0) {
                in.unread(next);
            }
            return SOFT_BREAK;
        }
        if (first == ' ' || first == '\t') {
            // "=" then padding: a soft break when only blanks stand between it and the line break.
            byte[] run = new byte[MAX_BLANKS + 1];
            int length = 0;
            run[length++] = (byte) first;
            int next = in.read();
            while ((next == ' ' || next == '\t') && length < MAX_BLANKS) {
                run[length++] = (byte) next;
                next = in.read();
            }
            if (next == '\n' || next < 0) {
                return SOFT_BREAK;
            }
            if (next == '\r') {
                int after = in.read();
                if (after != '\n' && after >= 0) {
                    in.unread(after);
                }
                return SOFT_BREAK;
            }
            in.unread(next);
            in.unread(run, 0, length);
            return '=';
        }
        if (first < 0) {
            return '=';
        }
        int second = in.read();
        int high = Character.digit(first, 16);
        int low = second < 0 ? -1 : Character.digit(second, 16);
        if (high >= 0 && low >= 0) {
            return (high << 4) | low;
        }
        if (second >= 0) {
            in.unread(second);
        }
        in.unread(first);
        return '=';
    }

    /** A blank was read: drop the run when it ends the line, else queue it as data. */
    private void blanks(int first) throws IOException {
        pendingStart = 0;
        pendingEnd = 0;
        pending[pendingEnd++] = (byte) first;
        int next = in.read();
        while ((next == ' ' || next == '\t') && pendingEnd < MAX_BLANKS) {
            pending[pendingEnd++] = (byte) next;
            next = in.read();
        }
        if (next == '\n' || next == '\r' || next < 0) {
            pendingEnd = 0;
        }
        if (next >= 0) {
            in.unread(next);
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int count = 0;
        while (count < length) {
            int b = read();
            if (b < 0) {
                return count == 0 ? -1 : count;
            }
            buffer[offset + count++] = (byte) b;
            if (pendingStart >= pendingEnd && in.available() == 0 && count > 0) {
                break;
            }
        }
        return count;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
