package org.jamesproxy.balance;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Promise;

/**
 * One health check: waits for the TLS handshake when the leg is implicit TLS, reads the greeting's first line and
 * completes with null when it starts with the protocol's positive greeting, else with what went wrong. Closes.
 */
final class GreetingProbe extends ChannelInboundHandlerAdapter {
    private static final int MAX_GREETING = 4096;

    private final String expectedPrefix;
    private final boolean waitsForTls;
    private final Promise<String> outcome;
    private final ByteBuf line = Unpooled.buffer(256, MAX_GREETING);

    /** @param outcome completes with null when healthy, else with the reason */
    GreetingProbe(String expectedPrefix, boolean waitsForTls, Promise<String> outcome) {
        this.expectedPrefix = expectedPrefix;
        this.waitsForTls = waitsForTls;
        this.outcome = outcome;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!waitsForTls) {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                ctx.read();
            } else {
                finish(ctx, "TLS handshake failed: " + handshake.cause().getMessage());
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        try {
            line.writeBytes(bytes, Math.min(bytes.readableBytes(), line.maxWritableBytes()));
        } finally {
            bytes.release();
        }
        int end = line.indexOf(0, line.writerIndex(), (byte) '\n');
        if (end >= 0) {
            String greeting = line.toString(0, end, StandardCharsets.US_ASCII).trim();
            finish(ctx, greeting.startsWith(expectedPrefix) ? null : "unexpected greeting '" + greeting + "'");
        } else if (!line.isWritable()) {
            finish(ctx, "greeting longer than " + MAX_GREETING + " bytes");
        } else {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish(ctx, "closed before greeting");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish(ctx, cause.getMessage());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        line.release();
    }

    private void finish(ChannelHandlerContext ctx, String failure) {
        outcome.trySuccess(failure);
        ctx.close();
    }
}
