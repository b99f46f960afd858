package org.jamesproxy.relay;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jamesproxy.tls.TlsBoundary;
import org.jamesproxy.upstream.UpstreamConnector;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;

/**
 * Brings an upstream leg to the point where a client may use it, for any protocol: a deadline for the whole
 * exchange, the implicit-TLS handshake watched, STARTTLS toward the upstream through the {@link TlsBoundary} (bytes
 * the upstream sent after its go-ahead abort the session), and one way to fail. The protocol supplies the
 * conversation (greeting, capabilities, its STARTTLS verb) in {@link #onBytes}.
 */
public abstract class UpstreamPrelude extends ChannelInboundHandlerAdapter {
    /**
     * Runs between "the upstream leg is usable" and the session taking it: a client-action relay completes the
     * client's TLS handshake there, with a certificate minted after the upstream's real one.
     */
    @FunctionalInterface
    public interface ReadyGate {
        ReadyGate OPEN = (upstream, ready) -> ready.run();

        void open(io.netty.channel.Channel upstream, Runnable ready);
    }

    private UpstreamConnector connector;
    private ReadyGate gate = ReadyGate.OPEN;
    private final long timeoutMillis;
    private ScheduledFuture<?> timeout;
    private boolean done;
    private boolean handshaking;

    protected UpstreamPrelude(UpstreamConnector connector) {
        this.connector = connector;
        this.timeoutMillis = Math.max(5_000, 3 * connector.getConfig().getConnectTimeout().toMillis());
    }

    /** Takes ownership of the bytes; called while the prelude is neither done nor handshaking. */
    protected abstract void onBytes(ChannelHandlerContext ctx, ByteBuf bytes);

    /** Frees the prelude's input buffer (called once, on success or failure). */
    protected abstract void releaseInput();

    /** Tells the session why the upstream cannot be used. */
    protected abstract void onFailed(String reason);

    protected final UpstreamConnector connector() {
        return connector;
    }

    /** For a route: the destination is known only now; the leg goes there instead. Before the connection. */
    public final void routeTo(UpstreamConnector destination) {
        this.connector = destination;
    }

    /** For a route: what runs between "usable" and the session taking the leg. Before the connection. */
    public final void gate(ReadyGate readyGate) {
        this.gate = readyGate;
    }

    protected final boolean isActive() {
        return !done && !handshaking;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> fail(ctx, "the mail server did not complete its greeting in time"),
            timeoutMillis, TimeUnit.MILLISECONDS);
        SslHandler implicitTls = ctx.pipeline().get(SslHandler.class);
        if (implicitTls != null) {
            implicitTls.handshakeFuture().addListener(handshake -> {
                if (!handshake.isSuccess()) {
                    fail(ctx, "TLS with the mail server failed: " + Failures.describe(handshake.cause()));
                }
            });
        }
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ((ByteBuf) msg).release();
            return;
        }
        onBytes(ctx, (ByteBuf) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (isActive()) {
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
        fail(ctx, Failures.describe(cause));
    }

    protected final void send(ChannelHandlerContext ctx, String command) {
        ctx.writeAndFlush(Unpooled.copiedBuffer(command + "\r\n", US_ASCII));
    }

    /**
     * The upstream said go ahead to STARTTLS/STLS: put TLS on this leg, refusing if it sent anything more in clear.
     *
     * @param unconsumed the prelude's buffered, unprocessed input
     * @param afterHandshake runs once the handshake (with certificate and host-name checks) succeeded
     */
    protected final void startTls(ChannelHandlerContext ctx, String verb, ByteBuf unconsumed, Runnable afterHandshake) {
        handshaking = true;
        try {
            TlsBoundary.upgrade(ctx.channel(), connector.tlsContext().newHandler(ctx.alloc()), unconsumed)
                .addListener(handshake -> {
                    handshaking = false;
                    if (!handshake.isSuccess()) {
                        fail(ctx, "TLS with the mail server failed: " + Failures.describe(handshake.cause()));
                        return;
                    }
                    afterHandshake.run();
                    ctx.read();
                });
        } catch (TlsBoundary.PlaintextInjectionException e) {
            handshaking = false;
            fail(ctx, "the mail server sent data after its " + verb + " go-ahead (" + e.getMessage() + ")");
        }
    }

    /** The leg is usable: the prelude leaves the pipeline, the session's handler takes over. */
    protected final void finish(ChannelHandlerContext ctx) {
        done = true;
        cancelTimeout();
        releaseInput();
        ctx.pipeline().remove(this);
    }

    /** The leg is usable: the prelude leaves the pipeline, then the session takes the leg (once the gate is passed). */
    protected final void finish(ChannelHandlerContext ctx, Runnable ready) {
        finish(ctx);
        gate.open(ctx.channel(), ready);
    }

    /** The session will not use this prelude after all (destination refused, or spliced): frees its input. */
    public final void abandon() {
        if (!done) {
            done = true;
            releaseInput();
        }
    }

    /** The TCP connection itself failed: the prelude never became active. */
    public final void connectFailed(String reason) {
        if (done) {
            return;
        }
        done = true;
        releaseInput();
        onFailed(reason);
    }

    protected final void fail(ChannelHandlerContext ctx, String reason) {
        if (done) {
            return;
        }
        done = true;
        cancelTimeout();
        releaseInput();
        ctx.close();
        onFailed(reason);
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
