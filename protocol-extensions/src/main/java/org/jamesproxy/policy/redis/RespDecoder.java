package org.jamesproxy.policy.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;

/**
 * Decodes RESP2 replies. Bounded (line length, bulk size, array length, nesting) so that a broken or hostile server
 * cannot make the proxy buffer without limit; the answers the store asks for are small.
 */
final class RespDecoder extends ByteToMessageDecoder {
    static final int MAX_LINE = 64 * 1024;
    static final int MAX_BULK = 1024 * 1024;
    static final int MAX_ARRAY = 1_000_000;
    static final int MAX_DEPTH = 4;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        RespValue value = read(in, 0);
        if (value == null) {
            in.readerIndex(start);
            return;
        }
        out.add(value);
    }

    /** One value, or null (reader index undefined) when the buffer does not hold it whole yet. */
    private static RespValue read(ByteBuf in, int depth) {
        if (depth > MAX_DEPTH) {
            throw new DecoderException("RESP reply nested deeper than " + MAX_DEPTH);
        }
        String line = line(in);
        if (line == null) {
            return null;
        }
        if (line.isEmpty()) {
            throw new DecoderException("empty RESP line");
        }
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+':
                return new RespValue.Simple(rest);
            case '-':
                return new RespValue.Error(rest);
            case ':':
                return new RespValue.Integer(number(rest));
            case '$': {
                long length = number(rest);
                if (length < 0) {
                    return new RespValue.Bulk(null);
                }
                if (length > MAX_BULK) {
                    throw new DecoderException("RESP bulk string of " + length + " bytes exceeds " + MAX_BULK);
                }
                if (in.readableBytes() < length + 2) {
                    return null;
                }
                byte[] bytes = new byte[(int) length];
                in.readBytes(bytes);
                if (in.readByte() != '\r' || in.readByte() != '\n') {
                    throw new DecoderException("RESP bulk string not followed by CRLF");
                }
                return new RespValue.Bulk(bytes);
            }
            case '*': {
                long count = number(rest);
                if (count < 0) {
                    return new RespValue.Array(null);
                }
                if (count > MAX_ARRAY) {
                    throw new DecoderException("RESP array of " + count + " items exceeds " + MAX_ARRAY);
                }
                List<RespValue> items = new ArrayList<>((int) Math.min(count, 1024));
                for (long i = 0; i < count; i++) {
                    RespValue item = read(in, depth + 1);
                    if (item == null) {
                        return null;
                    }
                    items.add(item);
                }
                return new RespValue.Array(items);
            }
            default:
                throw new DecoderException("unknown RESP type '" + type + "'");
        }
    }

    private static String line(ByteBuf in) {
        int end = in.indexOf(in.readerIndex(), Math.min(in.writerIndex(), in.readerIndex() + MAX_LINE), (byte) '\n');
        if (end < 0) {
            if (in.readableBytes() >= MAX_LINE) {
                throw new DecoderException("RESP line longer than " + MAX_LINE);
            }
            return null;
        }
        int length = end - in.readerIndex();
        if (length == 0 || in.getByte(end - 1) != '\r') {
            throw new DecoderException("RESP line not ended by CRLF");
        }
        String line = in.toString(in.readerIndex(), length - 1, StandardCharsets.UTF_8);
        in.readerIndex(end + 1);
        return line;
    }

    private static long number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new DecoderException("bad RESP number '" + text + "'");
        }
    }
}
