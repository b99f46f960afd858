package org.jamesproxy.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;

/**
 * Incremental IMAP framing for one direction: cuts the received bytes into line segments and literal chunks,
 * without copying literal data. Pull-based, so the relay can stop taking frames (STARTTLS, inspection) and
 * knows exactly what stays buffered.
 */
final class ImapFrameReader {
    /** A line longer than the bound: a protocol error, never an OutOfMemoryError. */
    static final class LineTooLongException extends Exception {
        LineTooLongException(int limit) {
            super("line longer than " + limit + " bytes");
        }
    }

    private final ByteBufAllocator allocator;
    private final int maxLineLength;
    private ByteBuf cumulation = Unpooled.EMPTY_BUFFER;
    private long literalRemaining;

    ImapFrameReader(ByteBufAllocator allocator, int maxLineLength) {
        this.allocator = allocator;
        this.maxLineLength = maxLineLength;
    }

    void add(ByteBuf received) {
        cumulation = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(allocator, cumulation, received);
    }

    /** @return the next frame, or null when more bytes are needed */
    ImapFrame next() throws LineTooLongException {
        if (literalRemaining > 0) {
            return nextLiteralChunk();
        }
        int lf = cumulation.forEachByte(ByteProcessor.FIND_LF);
        if (lf < 0) {
            if (cumulation.readableBytes() > maxLineLength) {
                throw new LineTooLongException(maxLineLength);
            }
            compact();
            return null;
        }
        int length = lf - cumulation.readerIndex() + 1;
        if (length > maxLineLength) {
            throw new LineTooLongException(maxLineLength);
        }
        ByteBuf line = cumulation.readRetainedSlice(length);
        return parseLine(line);
    }

    private ImapFrame nextLiteralChunk() {
        if (!cumulation.isReadable()) {
            compact();
            return null;
        }
        int length = (int) Math.min(literalRemaining, cumulation.readableBytes());
        literalRemaining -= length;
        return ImapFrame.literalChunk(cumulation.readRetainedSlice(length), literalRemaining == 0);
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
        while (position >= line.readerIndex() && Character.isDigit(line.getByte(position))) {
            size += (line.getByte(position) - '0') * multiplier;
            multiplier *= 10;
            digits++;
            position--;
            if (digits > 18) {
                return ImapFrame.line(line, ImapFrame.NO_LITERAL, false, false);
            }
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
        return cumulation;
    }

    boolean hasBufferedBytes() {
        return cumulation.isReadable();
    }

    private void compact() {
        if (!cumulation.isReadable()) {
            cumulation.release();
            cumulation = Unpooled.EMPTY_BUFFER;
        } else if (cumulation.refCnt() == 1) {
            cumulation.discardSomeReadBytes();
        }
    }

    void release() {
        if (cumulation.refCnt() > 0) {
            cumulation.release();
        }
        cumulation = Unpooled.EMPTY_BUFFER;
    }
}
