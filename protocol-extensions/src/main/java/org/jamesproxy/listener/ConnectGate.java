package org.jamesproxy.listener;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

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

    private final AccessControl access;
    private final Refusal refusal;
    private final boolean plainPort;

    public ConnectGate(AccessControl access, Refusal refusal, ListenerKind kind) {
        this.access = access;
        this.refusal = refusal;
        this.plainPort = kind == ListenerKind.PLAIN;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        SocketAddress remote = ctx.channel().remoteAddress();
        if (!(remote instanceof InetSocketAddress) || ((InetSocketAddress) remote).getAddress() == null) {
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
            return;
        }
        AccessControl.Decision decision = access.onConnect(((InetSocketAddress) remote).getAddress());
        switch (decision.disposition()) {
            case ALLOWED -> {
                ctx.pipeline().remove(this);
                ctx.fireChannelActive();
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

    /** Still here means refused: the session never saw the connection open, so it is not told it closed. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Only reached for a refused connection, before it closes: nothing it sends goes anywhere.
        io.netty.util.ReferenceCountUtil.release(msg);
    }
}
