package org.jamesproxy.listener;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jamesproxy.haproxy.ClientAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * {@code connectionLimitPerIP} counted per <em>client</em> address ({@link ClientAddress}) rather than per socket
 * peer: behind a trusted proxy every socket comes from the proxy, so James's own per-IP handler would limit the
 * proxy. Placed after the PROXY header was read; one instance serves both listeners of a policy.
 */
@ChannelHandler.Sharable
final class PerClientConnectionLimit extends ChannelInboundHandlerAdapter {
    private static final Logger LOGGER = LoggerFactory.getLogger(PerClientConnectionLimit.class);
    private static final AttributeKey<String> COUNTED = AttributeKey.valueOf("org.jamesproxy.perClientCounted");

    private final ConcurrentMap<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final int maxPerClient;

    PerClientConnectionLimit(int maxPerClient) {
        this.maxPerClient = maxPerClient;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        String client = ClientAddress.of(ctx.channel()).hostAddress();
        int count = connections.computeIfAbsent(client, key -> new AtomicInteger()).incrementAndGet();
        ctx.channel().attr(COUNTED).set(client);
        if (count > maxPerClient) {
            LOGGER.info("client {} refused: more than {} connections (connectionLimitPerIP)", client, maxPerClient);
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        String client = ctx.channel().attr(COUNTED).getAndSet(null);
        if (client != null) {
            connections.computeIfPresent(client, (key, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
        ctx.fireChannelInactive();
    }

    /** For tests: connections currently counted for a client. */
    int count(String client) {
        AtomicInteger count = connections.get(client);
        return count == null ? 0 : count.get();
    }
}
