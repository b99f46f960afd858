package org.jamesproxy.imap;

import io.netty.buffer.ByteBuf;

/**
 * One unit of IMAP traffic as the relay sees it: a line segment (ending in CRLF, possibly announcing a literal)
 * or a chunk of literal data. The frame owns one reference of {@link #content()}.
 */
final class ImapFrame {
    static final long NO_LITERAL = -1;

    static ImapFrame line(ByteBuf content, long literalSize, boolean nonSynchronizing, boolean binary) {
        return new ImapFrame(false, content, literalSize, nonSynchronizing, binary, false);
    }

    static ImapFrame literalChunk(ByteBuf content, boolean last) {
        return new ImapFrame(true, content, NO_LITERAL, false, false, last);
    }

    private final boolean literal;
    private final ByteBuf content;
    private final long literalSize;
    private final boolean nonSynchronizing;
    private final boolean binary;
    private final boolean lastChunk;

    private ImapFrame(boolean literal, ByteBuf content, long literalSize, boolean nonSynchronizing, boolean binary, boolean lastChunk) {
        this.literal = literal;
        this.content = content;
        this.literalSize = literalSize;
        this.nonSynchronizing = nonSynchronizing;
        this.binary = binary;
        this.lastChunk = lastChunk;
    }

    boolean isLiteralChunk() {
        return literal;
    }

    ByteBuf content() {
        return content;
    }

    /** For a line: the size of the literal it announces ({n}, {n+}, ~{n}), or NO_LITERAL. */
    long announcedLiteral() {
        return literalSize;
    }

    boolean announcesLiteral() {
        return literalSize != NO_LITERAL;
    }

    boolean isNonSynchronizing() {
        return nonSynchronizing;
    }

    boolean isBinary() {
        return binary;
    }

    /** For a literal chunk: whether it completes the literal. */
    boolean isLastChunk() {
        return lastChunk;
    }
}
