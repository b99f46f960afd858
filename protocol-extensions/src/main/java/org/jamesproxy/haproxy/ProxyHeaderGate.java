package org.jamesproxy.haproxy;

import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.james.metrics.api.Metric;
import org.jamesproxy.config.ProxyProtocolIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;

/**
 * The start of a client connection on a policy behind a trusted proxy ({@code <acceptProxyProtocol>}): nothing of
 * the mail protocol (no TLS, no greeting, no session) exists until the peer, one of the trusted proxies, has sent a
 * valid PROXY v1/v2 header for a TCP connection. Then the client address of the header is recorded
 * ({@link ClientAddress}), the rest of the pipeline is built and the session starts as on a direct connection.
 * An untrusted peer, a missing, late or malformed header, or a LOCAL/UNKNOWN one closes the connection, logged.
 */
public final class ProxyHeaderGate extends ChannelInboundHandlerAdapter {
    private static final Logger LOGGER = LoggerFactory.getLogger(ProxyHeaderGate.class);
    public static final String DECODER = "proxyHeaderDecoder";
    public static final String GATE = "proxyHeaderGate";

    /** Puts the decoder and the gate in the pipeline; {@code restOfPipeline} adds the handlers behind them. */
    public static void install(ChannelPipeline pipeline, ProxyProtocolIn config, String policyName, Metric refusals,
                               Consumer<Channel> restOfPipeline) {
        pipeline.addLast(DECODER, new HAProxyMessageDecoder());
        pipeline.addLast(GATE, new ProxyHeaderGate(config, policyName, refusals, restOfPipeline));
    }

    private final ProxyProtocolIn config;
    private final String policyName;
    private final Metric refusals;
    private final Consumer<Channel> restOfPipeline;
    private ScheduledFuture<?> deadline;
    private boolean decided;

    private ProxyHeaderGate(ProxyProtocolIn config, String policyName, Metric refusals, Consumer<Channel> restOfPipeline) {
        this.config = config;
        this.policyName = policyName;
        this.refusals = refusals;
        this.restOfPipeline = restOfPipeline;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        if (!config.trusts(peer.getAddress())) {
            // Checked before a byte is read: an untrusted peer cannot even try a forged header.
            refuse(ctx, "not one of the trusted proxies");
            return;
        }
        deadline = ctx.executor().schedule(() -> refuse(ctx, "no PROXY header within " + config.getHeaderTimeout().toMillis() + " ms"),
            config.getHeaderTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.read();
        // channelActive goes no further: the session does not exist yet.
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided || !(msg instanceof HAProxyMessage)) {
            // Cannot happen before the header (the decoder passes nothing else before it); after it we are gone.
            ReferenceCountUtil.release(msg);
            return;
        }
        HAProxyMessage header = (HAProxyMessage) msg;
        try {
            if (header.command() != HAProxyCommand.PROXY) {
                refuse(ctx, "a " + header.command() + " header (health check?) names no client");
                return;
            }
            if (header.proxiedProtocol() != HAProxyProxiedProtocol.TCP4 && header.proxiedProtocol() != HAProxyProxiedProtocol.TCP6) {
                refuse(ctx, "the header is for " + header.proxiedProtocol() + ", not a TCP connection");
                return;
            }
            accept(ctx, new InetSocketAddress(com.google.common.net.InetAddresses.forString(header.sourceAddress()), header.sourcePort()),
                new InetSocketAddress(com.google.common.net.InetAddresses.forString(header.destinationAddress()), header.destinationPort()));
        } finally {
            header.release();
        }
    }

    private void accept(ChannelHandlerContext ctx, InetSocketAddress source, InetSocketAddress destination) {
        decided = true;
        cancelDeadline();
        Channel channel = ctx.channel();
        ClientAddress.setFromProxyHeader(channel, source, destination);
        LOGGER.info("Policy {}: connection from {} through trusted proxy {}", policyName, source, channel.remoteAddress());
        restOfPipeline.accept(channel);
        // The handlers behind this one start as on a direct connection; bytes after the header follow them.
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
        channel.read();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!decided) {
            // The decoder's HAProxyProtocolException: not a PROXY header, or a malformed or oversized one.
            refuse(ctx, "malformed PROXY header: " + cause.getMessage());
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!decided) {
            decided = true;
            cancelDeadline();
            LOGGER.info("Policy {}: {} closed the connection before its PROXY header", policyName, ctx.channel().remoteAddress());
            return;
        }
        ctx.fireChannelInactive();
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        if (decided) {
            return;
        }
        decided = true;
        cancelDeadline();
        refusals.increment();
        LOGGER.warn("Policy {}: connection from {} refused: {}", policyName, ctx.channel().remoteAddress(), reason);
        ctx.close();
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }
}
