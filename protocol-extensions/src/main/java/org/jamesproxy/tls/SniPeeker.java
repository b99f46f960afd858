package org.jamesproxy.tls;

import java.util.Locale;
import java.util.Optional;


import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * Reads the client's ClientHello without answering it and holds it (Netty's ClientHello parser, bounded by the TLS
 * record size), asks the relay what to do with a {@link ClientHello} event, then either hands the held bytes to the
 * SslHandler it was given (inspect), or lets them flow on raw (allow), or sends a fatal alert and closes (refused).
 * Reads are suppressed while the relay decides.
 */
public final class SniPeeker extends AbstractSniHandler<Object> {
    public static final String NAME = "sniPeeker";

    /** A fatal TLS alert record, access_denied (49); the version field is what TLS 1.2 and 1.3 both send. */
    private static final byte[] ACCESS_DENIED_ALERT = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 49};

    @Override
    protected Future<Object> lookup(ChannelHandlerContext ctx, String hostname) {
        Promise<Object> decision = ctx.executor().newPromise();
        Optional<String> name = Optional.ofNullable(hostname)
            .map(value -> value.toLowerCase(Locale.US))
            .map(value -> value.endsWith(".") ? value.substring(0, value.length() - 1) : value)
            .filter(value -> !value.isEmpty());
        ctx.fireUserEventTriggered(new ClientHello(name, decision));
        return decision;
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<Object> future) {
        if (!future.isSuccess()) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(ACCESS_DENIED_ALERT)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        Object decision = future.getNow();
        if (decision instanceof SslHandler) {
            // The held ClientHello goes to the SslHandler as the pipeline replaces this handler.
            ctx.pipeline().replace(this, TlsBoundary.SSL_HANDLER, (SslHandler) decision);
        } else {
            ctx.pipeline().remove(this);
        }
        ctx.channel().read();
    }
}
