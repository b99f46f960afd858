package org.jamesproxy.client;

import org.jamesproxy.tls.ClientHello;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.PlainDialogue.Step;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * For an {@code allow} destination reached through the STARTTLS port: the plain exchange with the upstream up to
 * its STARTTLS go-ahead (greeting, EHLO for SMTP, STARTTLS), so that the client's TLS - whose ClientHello the proxy
 * holds - can be spliced to it untouched. Bytes the upstream sends after its go-ahead abort (they would be taken for
 * TLS), as does any refusal or a silence past the deadline. The steps are the protocol's
 * ({@link org.jamesproxy.relay.PlainDialogue#upstreamUpgrade()}).
 */
final class UpstreamUpgrade extends ChannelInboundHandlerAdapter {
    interface Outcome {
        void upgraded();

        void failed(String reason);
    }

    private static final int MAX_LINE = 4096;

    private final List<Step> steps;
    private final Outcome outcome;
    private final long timeoutMillis;
    private InputBuffer input;
    private ScheduledFuture<?> timeout;
    private int current;
    private boolean finished;

    UpstreamUpgrade(List<Step> steps, Outcome outcome, long timeoutMillis) {
        this.steps = steps;
        this.outcome = outcome;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        input = new InputBuffer(ctx.alloc(), MAX_LINE);
        timeout = ctx.executor().schedule(() -> fail(ctx, "the mail server did not agree to STARTTLS in time"),
            timeoutMillis, TimeUnit.MILLISECONDS);
        send(ctx);
        ctx.read();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        input.release();
        timeout.cancel(false);
    }

    private void send(ChannelHandlerContext ctx) {
        String command = steps.get(current).command();
        if (command != null) {
            ctx.writeAndFlush(Unpooled.copiedBuffer(command + "\r\n", US_ASCII));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (finished) {
            ((ByteBuf) msg).release();
            return;
        }
        input.add((ByteBuf) msg);
        try {
            ByteBuf line;
            while (!finished && (line = input.nextLine()) != null) {
                String text;
                try {
                    text = line.toString(ISO_8859_1).trim();
                } finally {
                    line.release();
                }
                onLine(ctx, text);
            }
        } catch (InputBuffer.LineTooLongException e) {
            fail(ctx, "the mail server sent an over-long line");
        }
    }

    private void onLine(ChannelHandlerContext ctx, String line) {
        switch (steps.get(current).judge().apply(line)) {
            case MORE:
                return;
            case FAILED:
                fail(ctx, "the mail server answered '" + line + "'");
                return;
            default:
                current++;
                if (current < steps.size()) {
                    send(ctx);
                    return;
                }
                if (input.hasBufferedBytes()) {
                    fail(ctx, "the mail server sent data after its STARTTLS go-ahead");
                    return;
                }
                finished = true;
                ctx.pipeline().remove(this);
                outcome.upgraded();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!finished) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "the mail server closed the connection");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, String.valueOf(cause.getMessage()));
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (finished) {
            return;
        }
        finished = true;
        ctx.close();
        outcome.failed(reason);
    }
}
