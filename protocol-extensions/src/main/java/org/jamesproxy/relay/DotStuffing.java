package org.jamesproxy.relay;

import java.io.ByteArrayOutputStream;

import io.netty.buffer.ByteBuf;

/**
 * RFC 5321 4.5.2 / RFC 1939 3 transparency for multi-line data (SMTP DATA, POP3 RETR/TOP): a line starting with
 * "." gets one more "." on the wire, and ".CRLF" alone ends the data. Shared by the POP3 and SMTP relays.
 */
public final class DotStuffing {
    private DotStuffing() {
    }

    /** Whether a received line (with its line ending) is the end-of-data marker ".CRLF". */
    public static boolean isTerminator(ByteBuf line) {
        int start = line.readerIndex();
        return line.readableBytes() == 3 && line.getByte(start) == '.' && line.getByte(start + 1) == '\r'
            && line.getByte(start + 2) == '\n';
    }

    /** Whether a received line ends with CRLF (a bare LF is what SMTP smuggling relies on). */
    public static boolean endsWithCrlf(ByteBuf line) {
        int end = line.writerIndex();
        return line.readableBytes() >= 2 && line.getByte(end - 1) == '\n' && line.getByte(end - 2) == '\r';
    }

    /** Removes the transparency dot of a received data line, in place (the slice's reader index moves). */
    public static ByteBuf unstuff(ByteBuf line) {
        if (line.isReadable() && line.getByte(line.readerIndex()) == '.') {
            line.skipBytes(1);
        }
        return line;
    }

    /**
     * The message as multi-line data: every line ending made CRLF, leading dots doubled, ".CRLF" appended.
     */
    public static byte[] stuff(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + message.length / 64 + 5);
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (lineStart && b == '.') {
                out.write('.');
            }
            if (b == '\n') {
                if (i == 0 || message[i - 1] != '\r') {
                    out.write('\r');
                }
                out.write('\n');
                lineStart = true;
                continue;
            }
            if (b == '\r' && (i + 1 >= message.length || message[i + 1] != '\n')) {
                out.write('\r');
                out.write('\n');
                lineStart = true;
                continue;
            }
            out.write(b);
            lineStart = false;
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write('.');
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }
}
