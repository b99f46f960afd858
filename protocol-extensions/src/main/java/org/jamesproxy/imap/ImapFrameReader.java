package org.jamesproxy.imap;

import org.jamesproxy.relay.InputBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Incremental IMAP framing for one direction: cuts the received bytes into line segments and literal chunks,
 * without copying literal data. Pull-based, so the relay can stop taking frames (STARTTLS, inspection) and
 * knows exactly what stays buffered.
 */
final class ImapFrameReader {
    private final InputBuffer input;
    private long literalRemaining;

    ImapFrameReader(ByteBufAllocator allocator, int maxLineLength) {
        this.input = new InputBuffer(allocator, maxLineLength);
    }

    void add(ByteBuf received) {
        input.add(received);
    }

    /** @return the next frame, or null when more bytes are needed */
    ImapFrame next() throws InputBuffer.LineTooLongException {
        if (literalRemaining > 0) {
            ByteBuf chunk = input.nextBytes(literalRemaining);
            if (chunk == null) {
                return null;
            }
            literalRemaining -= chunk.readableBytes();
            return ImapFrame.literalChunk(chunk, literalRemaining == 0);
        }
        ByteBuf line = input.nextLine();
        return line == null ? null : parseLine(line);
    }

    /** Recognises a trailing literal announcement: {n}, {n+} (LITERAL+), ~{n} (literal8). */
    private ImapFrame parseLine(ByteBuf line) {
        int end = line.writerIndex() - 1; // the LF
        if (end > line.readerIndex() && line.getByte(end - 1) == '\r') {
            end--;
        }
        int position = end - 1;
        if (position < line.readerIndex() || line.getByte(position) != '}') {
            return ImapFrame.line(line, ImapFrame.NO_LITERAL, false, false);
        }
        position--;
        boolean nonSync = false;
        if (position >= line.readerIndex() && line.getByte(position) == '+') {
            nonSync = true;
            position--;
        }
        long size = 0;
        long multiplier = 1;
        int digits = 0;
        boolean overflow = false;
        while (position >= line.readerIndex() && Character.isDigit(line.getByte(position))) {
            int digit = line.getByte(position) - '0';
            // Past 18 digits a long could overflow: the size saturates instead, so that it exceeds every bound and
            // is refused like any other too-large literal (treating it as "no literal" let it slip upstream).
            if (digits >= 18) {
                overflow |= digit != 0;
            } else {
                size += digit * multiplier;
                multiplier *= 10;
            }
            digits++;
            position--;
        }
        if (overflow) {
            size = Long.MAX_VALUE;
        }
        if (digits == 0 || position < line.readerIndex() || line.getByte(position) != '{') {
            return ImapFrame.line(line, ImapFrame.NO_LITERAL, false, false);
        }
        boolean binary = position > line.readerIndex() && line.getByte(position - 1) == '~';
        return ImapFrame.line(line, size, nonSync, binary);
    }

    /** After a line announcing a literal was accepted: the next {@code size} bytes are literal data. */
    void expectLiteral(long size) {
        literalRemaining = size;
    }

    long literalRemaining() {
        return literalRemaining;
    }

    /** What was received but not yet taken as frames. */
    ByteBuf unconsumed() {
        return input.unconsumed();
    }

    boolean hasBufferedBytes() {
        return input.hasBufferedBytes();
    }

    void release() {
        input.release();
    }
}
