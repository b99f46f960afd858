package org.jamesproxy.tls;

import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * A profile's {@code tlsCompliantOnly} on an implicit-TLS port: the connection's first bytes must open a TLS
 * handshake record (content type 22, version 3.x). Anything else (a plaintext protocol, an SSLv2-style hello, random
 * bytes) closes the connection at once, is never relayed, and is reported once. This matters where the TLS action
 * splices without decrypting: the SslHandler would refuse a non-TLS stream anyway when the proxy terminates TLS.
 *
 * <p>Put it first in the pipeline of an implicit-TLS connection (under the splice or the SslHandler); it removes
 * itself after five bytes and hands them on untouched.</p>
 */
public final class TlsCompliance extends ByteToMessageDecoder {
    public static final String HANDLER_NAME = "tlsCompliance";
    private static final int RECORD_HEADER = 5;

    /** True, false, or null when fewer than five bytes are there to decide. */
    public static Boolean startsWithTlsHandshake(ByteBuf buffer) {
        if (buffer.readableBytes() < RECORD_HEADER) {
            return null;
        }
        int index = buffer.readerIndex();
        int type = buffer.getUnsignedByte(index);
        int major = buffer.getUnsignedByte(index + 1);
        int minor = buffer.getUnsignedByte(index + 2);
        int length = buffer.getUnsignedShort(index + 3);
        return type == 22 && major == 3 && minor <= 4 && length > 0 && length <= 16384 + 2048;
    }

    private final Consumer<String> onRefused;

    /** @param onRefused told (once) why the connection was closed: the session's log */
    public TlsCompliance(Consumer<String> onRefused) {
        this.onRefused = onRefused;
        setSingleDecode(true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, java.util.List<Object> out) {
        Boolean tls = startsWithTlsHandshake(in);
        if (tls == null) {
            ctx.read();
            return;
        }
        if (tls) {
            ctx.pipeline().remove(this);
            return;
        }
        String head = ByteBufUtil.hexDump(in, in.readerIndex(), Math.min(8, in.readableBytes()));
        in.skipBytes(in.readableBytes());
        onRefused.accept("not TLS on an implicit-TLS port (first bytes " + head + "): closed (tlsCompliantOnly)");
        ctx.close();
    }
}
