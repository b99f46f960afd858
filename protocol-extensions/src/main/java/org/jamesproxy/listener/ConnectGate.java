package org.jamesproxy.listener;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.net.InetSocketAddress;

import org.jamesproxy.haproxy.ClientAddress;
import org.jamesproxy.policy.AccessControl;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;

/**
 * The first handler of a proxy connection: asks the policy's {@link AccessControl} about the client before any
 * session, TLS or upstream work. An allowed connection goes on (the gate leaves the pipeline); a denied one gets the
 * protocol's refusal on a plain port (on an implicit-TLS port it is closed, so that a refused client costs no
 * handshake); a denied-reset one is reset (SO_LINGER 0), nothing sent. It sits after James's connection-limit
 * handlers, which count every connection that opens and closes.
 */
@ChannelHandler.Sharable
public final class ConnectGate extends ChannelInboundHandlerAdapter {
    public static final String NAME = "connectGate";

    /** The protocol's refusal line for a plain port, e.g. {@code * BYE reason}; CRLF is added here. */
    @FunctionalInterface
    public interface Refusal {
        String line(String reason);
    }

    private static final org.slf4j.Logger LOGGER = org.slf4j.LoggerFactory.getLogger(ConnectGate.class);
    /** The pool members the matching access rule's To list allows, when it has one: the pool route reads it. */
    public static final io.netty.util.AttributeKey<java.util.List<String>> ALLOWED_MEMBERS =
        io.netty.util.AttributeKey.valueOf("connectGate.allowedMembers");
    private static final io.netty.util.AttributeKey<PendingReads> PENDING = io.netty.util.AttributeKey.valueOf("connectGate.pending");

    private final AccessControl access;
    private final Refusal refusal;
    private final boolean plainPort;

    public ConnectGate(AccessControl access, Refusal refusal, ListenerKind kind) {
        this.access = access;
        this.refusal = refusal;
        this.plainPort = kind == ListenerKind.PLAIN;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // The real client: the PROXY header's when the policy sits behind a trusted load balancer.
        InetSocketAddress client = ClientAddress.of(ctx.channel()).source();
        if (client == null || client.getAddress() == null) {
            allow(ctx);
            return;
        }
        access.onConnect(client.getAddress()).whenComplete((decision, failure) -> {
            if (ctx.executor().inEventLoop()) {
                act(ctx, decision, failure);
            } else {
                ctx.executor().execute(() -> act(ctx, decision, failure));
            }
        });
    }

    private void act(ChannelHandlerContext ctx, AccessControl.Decision decision, Throwable failure) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (failure != null) {
            // AccessControl answers every store failure itself; anything else is a bug: refuse rather than let in.
            LOGGER.error("access decision failed for {}", ctx.channel().remoteAddress(), failure);
            ctx.close();
            return;
        }
        switch (decision.disposition()) {
            case ALLOWED -> {
                if (!decision.to().isEmpty()) {
                    ctx.channel().attr(ALLOWED_MEMBERS).set(decision.to());
                }
                allow(ctx);
            }
            case DENIED -> {
                if (plainPort) {
                    ctx.writeAndFlush(Unpooled.copiedBuffer(refusal.line(decision.clientText()) + "\r\n", US_ASCII))
                        .addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.close();
                }
            }
            case DENIED_RESET -> {
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                ctx.close();
            }
        }
    }

    /** The session sees the connection open, then what arrived while the decision was pending (a TLS ClientHello). */
    private void allow(ChannelHandlerContext ctx) {
        PendingReads pending = ctx.channel().attr(PENDING).getAndSet(null);
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
        if (pending != null) {
            pending.messages.forEach(ctx::fireChannelRead);
            ctx.fireChannelReadComplete();
        }
    }

    /** Still here means refused: the session never saw the connection open, so it is not told it closed. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
    }

    /**
     * Reached only while the decision is pending (a shared store answers) or for a refused connection. Pending: kept
     * for the session, a single read's worth since nothing else reads with AUTO_READ off. Refused: dropped.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        PendingReads pending = ctx.channel().attr(PENDING).get();
        if (pending == null) {
            pending = new PendingReads();
            ctx.channel().attr(PENDING).set(pending);
        }
        pending.messages.add(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Held with the reads it completes.
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        PendingReads pending = ctx.channel().attr(PENDING).getAndSet(null);
        if (pending != null) {
            pending.messages.forEach(io.netty.util.ReferenceCountUtil::release);
        }
    }

    private static final class PendingReads {
        private final java.util.List<Object> messages = new java.util.ArrayList<>();
    }
}
