package org.jamesproxy.imap.view;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;

/** Writes IMAP strings: NIL, a quoted string when it can be one, a literal otherwise (8-bit, long, CR/LF). */
final class ImapValues {
    private static final int MAX_QUOTED = 1024;

    private ImapValues() {
    }

    static void nstring(ByteBuf out, String value) {
        if (value == null) {
            out.writeCharSequence("NIL", StandardCharsets.US_ASCII);
            return;
        }
        if (quotable(value)) {
            out.writeByte('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    out.writeByte('\\');
                }
                out.writeByte(c);
            }
            out.writeByte('"');
            return;
        }
        // header values are read as ISO-8859-1, so this gives back the header's own bytes (8-bit names stay as sent)
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        literalHeader(out, bytes.length, false);
        out.writeBytes(bytes);
    }

    static void literalHeader(ByteBuf out, long length, boolean binary) {
        out.writeCharSequence((binary ? "~{" : "{") + length + "}\r\n", StandardCharsets.US_ASCII);
    }

    static void atom(ByteBuf out, String text) {
        out.writeCharSequence(text, StandardCharsets.US_ASCII);
    }

    private static boolean quotable(String value) {
        if (value.length() > MAX_QUOTED) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
