package org.jamesproxy.haproxy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.jamesproxy.config.ProxyHeader;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;

/**
 * Opens an upstream connection with the PROXY protocol header naming the real client, before anything else (the
 * implicit-TLS ClientHello included): first in the upstream pipeline, it writes the header when the connection is up,
 * then passes the event on and leaves with Netty's encoder.
 */
public final class ProxyHeaderWriter extends ChannelInboundHandlerAdapter {
    public static final String ENCODER = "proxyHeaderEncoder";
    public static final String WRITER = "proxyHeaderWriter";

    /** Puts the header first in a fresh upstream pipeline, when the upstream is configured for one. */
    public static void install(ChannelPipeline upstream, ProxyHeader version, ClientAddress client) {
        if (version == ProxyHeader.NONE) {
            return;
        }
        upstream.addFirst(WRITER, new ProxyHeaderWriter(message(version, client)));
        upstream.addFirst(ENCODER, HAProxyMessageEncoder.INSTANCE);
    }

    /**
     * For a connection of the proxy's own (a pool's health check): a header that names no client, v2 {@code LOCAL}
     * or v1 {@code PROXY UNKNOWN}, which a listener with proxyRequired accepts as the proxy's own connection.
     */
    public static void installLocal(ChannelPipeline upstream, ProxyHeader version) {
        if (version == ProxyHeader.NONE) {
            return;
        }
        HAProxyMessage local = version == ProxyHeader.V1
            ? new HAProxyMessage(HAProxyProtocolVersion.V1, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0)
            : new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
        upstream.addFirst(WRITER, new ProxyHeaderWriter(local));
        upstream.addFirst(ENCODER, HAProxyMessageEncoder.INSTANCE);
    }

    /** Source = the client, destination = where the client connected; both of one family, as the format requires. */
    static HAProxyMessage message(ProxyHeader version, ClientAddress client) {
        InetSocketAddress source = client.source();
        InetSocketAddress destination = client.destination();
        boolean ipv4 = source.getAddress() instanceof Inet4Address && destination.getAddress() instanceof Inet4Address;
        return new HAProxyMessage(version == ProxyHeader.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2,
            HAProxyCommand.PROXY, ipv4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
            text(source.getAddress(), ipv4), text(destination.getAddress(), ipv4), source.getPort(), destination.getPort());
    }

    private static String text(InetAddress address, boolean ipv4) {
        if (ipv4 || !(address instanceof Inet4Address)) {
            return address.getHostAddress();
        }
        // A mixed pair goes as TCP6, the IPv4 side in its IPv4-mapped form.
        return "::ffff:" + address.getHostAddress();
    }

    private final HAProxyMessage header;

    private ProxyHeaderWriter(HAProxyMessage header) {
        this.header = header;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(header);
        ctx.fireChannelActive();
        ctx.pipeline().remove(ENCODER);
        ctx.pipeline().remove(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // Never written (the connection failed): the message is reference-counted.
        if (header.refCnt() > 0) {
            header.release();
        }
    }
}
