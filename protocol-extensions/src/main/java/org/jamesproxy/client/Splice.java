package org.jamesproxy.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Relays raw bytes both ways between two channels (the {@code allow} TLS action: nothing is decrypted). Both
 * channels have AUTO_READ off; a leg is read again only once what it gave was written to the other, so at most one
 * read's worth of bytes is in flight per direction. When either side closes, the other is closed after a flush.
 */
public final class Splice extends ChannelInboundHandlerAdapter {
    public static final String NAME = "splice";

    /**
     * @param beforeClient the name of the client pipeline's handler the splice goes before (the relay's, which keeps
     *                     seeing the channel's end for its accounting, and never a byte)
     */
    public static void between(Channel client, String beforeClient, Channel upstream) {
        client.pipeline().addBefore(beforeClient, NAME, new Splice(upstream));
        upstream.pipeline().addLast(NAME, new Splice(client));
        client.read();
        upstream.read();
    }

    private final Channel other;

    private Splice(Channel other) {
        this.other = other;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!other.isActive()) {
            ((ByteBuf) msg).release();
            return;
        }
        other.writeAndFlush(msg).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess()) {
                ctx.channel().read();
            } else {
                ctx.close();
                other.close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (other.isActive()) {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        other.close();
    }
}
