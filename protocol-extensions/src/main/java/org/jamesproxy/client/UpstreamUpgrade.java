package org.jamesproxy.client;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.jamesproxy.relay.InputBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * For an {@code allow} destination reached through the STARTTLS port: the plain exchange with the upstream up to
 * its STARTTLS go-ahead (greeting, EHLO for SMTP, STARTTLS), so that the client's TLS - whose ClientHello the proxy
 * holds - can be spliced to it untouched. Bytes the upstream sends after its go-ahead abort (they would be taken for
 * TLS), as does any refusal or a silence past the deadline.
 */
final class UpstreamUpgrade extends ChannelInboundHandlerAdapter {
    enum Judgement {
        MORE, DONE, FAILED
    }

    /** One exchange: what to send first (null: just read, e.g. the greeting), and how each reply line is judged. */
    record Step(String command, Function<String, Judgement> judge) {
    }

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

    // ---------------------------------------------------------------------------------------------------------
    // The three protocols' plain exchanges

    static List<Step> imap() {
        return List.of(
            new Step(null, line -> line.startsWith("* OK") ? Judgement.DONE : Judgement.FAILED),
            new Step("p1 STARTTLS", line -> line.startsWith("p1 OK") ? Judgement.DONE
                : line.startsWith("p1 ") || line.startsWith("* BYE") ? Judgement.FAILED : Judgement.MORE));
    }

    static List<Step> pop3() {
        return List.of(
            new Step(null, line -> line.startsWith("+OK") ? Judgement.DONE : Judgement.FAILED),
            new Step("STLS", line -> line.startsWith("+OK") ? Judgement.DONE : Judgement.FAILED));
    }

    static List<Step> smtp(String helloName) {
        return List.of(
            new Step(null, smtpReply("220")),
            new Step("EHLO " + helloName, smtpReply("250")),
            new Step("STARTTLS", smtpReply("220")));
    }

    /** Multi-line SMTP replies: "250-..." continues, "250 ..." ends. */
    private static Function<String, Judgement> smtpReply(String code) {
        return line -> {
            if (line.length() >= 4 && line.charAt(3) == '-') {
                return line.startsWith(code) ? Judgement.MORE : Judgement.FAILED;
            }
            return line.startsWith(code) ? Judgement.DONE : Judgement.FAILED;
        };
    }
}
