package org.jamesproxy.relay;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Protocol lines as bytes: ISO-8859-1 keeps every byte as it was, CRLF is added when missing. */
public final class Lines {
    private Lines() {
    }

    public static ByteBuf encode(String line) {
        return Unpooled.copiedBuffer(line.endsWith("\n") ? line : line + "\r\n", ISO_8859_1);
    }

    public static String decode(ByteBuf line) {
        return line.toString(ISO_8859_1);
    }
}
