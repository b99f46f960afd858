package org.jamesproxy.tls;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;

/**
 * A Netty server on 127.0.0.1 whose pipeline is a server-side SslHandler made per connection by the code under test;
 * it writes {@code OK\n} once the handshake succeeded and records handshake failures.
 */
public final class NettyTlsServer implements AutoCloseable {
    public static final String GREETING = "OK\n";

    public static NettyTlsServer start(Function<Channel, SslHandler> handlers) throws InterruptedException {
        EventLoopGroup group = new NioEventLoopGroup(1);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Channel server = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                    SslHandler ssl = handlers.apply(channel);
                    channel.pipeline().addLast(ssl);
                    channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            ctx.close();
                        }
                    });
                    ssl.handshakeFuture().addListener(handshake -> {
                        if (handshake.isSuccess()) {
                            channel.writeAndFlush(Unpooled.copiedBuffer(GREETING, StandardCharsets.US_ASCII));
                        } else {
                            failures.add(handshake.cause());
                            channel.close();
                        }
                    });
                }
            })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        return new NettyTlsServer(group, server, failures);
    }

    private final EventLoopGroup group;
    private final Channel server;
    private final List<Throwable> failures;

    private NettyTlsServer(EventLoopGroup group, Channel server, List<Throwable> failures) {
        this.group = group;
        this.server = server;
        this.failures = failures;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public List<Throwable> failures() {
        return failures;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
