package org.jamesproxy.upstream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

import org.jamesproxy.config.UpstreamConfig;
import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.haproxy.ClientAddress;
import org.jamesproxy.haproxy.ProxyHeaderWriter;
import org.jamesproxy.tls.TlsBoundary;
import org.jamesproxy.tls.UpstreamTlsContext;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Opens the proxy's leg to the real mail server, for any protocol. The upstream channel lives on the client
 * channel's event loop, so one session's two legs never need locking, and it reads only when asked
 * (AUTO_READ off), which is what lets the relay apply backpressure.
 */
public final class UpstreamConnector {
    /** A leg toward an already resolved address (the client action resolves destinations itself). */
    public static UpstreamConnector toAddress(UpstreamConfig config, Optional<UpstreamTlsContext> tls, InetAddress address) {
        return new UpstreamConnector(config, tls, Optional.of(address));
    }

    private final UpstreamConfig config;
    private final Optional<UpstreamTlsContext> tls;
    private final Optional<InetAddress> address;

    public UpstreamConnector(UpstreamConfig config, Optional<UpstreamTlsContext> tls) {
        this(config, tls, Optional.empty());
    }

    private UpstreamConnector(UpstreamConfig config, Optional<UpstreamTlsContext> tls, Optional<InetAddress> address) {
        this.config = config;
        this.tls = tls;
        this.address = address;
        if (config.getTls() != UpstreamTls.NONE && tls.isEmpty()) {
            throw new IllegalArgumentException("TLS toward " + config.getHost() + " needs an UpstreamTlsContext");
        }
    }

    /**
     * A PROXY protocol header naming the client goes first when the upstream is configured for one
     * ({@code <proxyProtocol>}), before the implicit-TLS handshake.
     *
     * @param handler the protocol's upstream handler, last in the pipeline (after TLS for implicit mode)
     * @return completes when TCP is connected; for implicit TLS the handshake follows (see the SslHandler's future)
     */
    public ChannelFuture connect(Channel client, ChannelHandler handler) {
        return connect(client.eventLoop(), Optional.of(ClientAddress.of(client)), handler);
    }

    /**
     * A connection of the proxy's own (a pool's health check), on a loop of the caller's: no client, so a PROXY header
     * is the one that names none ({@link ProxyHeaderWriter#installLocal}).
     */
    public ChannelFuture connectOwn(io.netty.channel.EventLoop loop, ChannelHandler handler) {
        return connect(loop, Optional.empty(), handler);
    }

    private ChannelFuture connect(io.netty.channel.EventLoop loop, Optional<ClientAddress> clientAddress, ChannelHandler handler) {
        return new Bootstrap()
            .group(loop)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.getConnectTimeout().toMillis())
            .handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel channel) {
                    if (clientAddress.isPresent()) {
                        ClientAddress.attachToUpstream(channel, clientAddress.get());
                        ProxyHeaderWriter.install(channel.pipeline(), config.getProxyHeader(), clientAddress.get());
                    } else {
                        ProxyHeaderWriter.installLocal(channel.pipeline(), config.getProxyHeader());
                    }
                    if (config.getTls() == UpstreamTls.IMPLICIT) {
                        channel.pipeline().addLast(TlsBoundary.SSL_HANDLER, tls.get().newHandler(channel.alloc()));
                    }
                    channel.pipeline().addLast(handler);
                }
            })
            .connect(address.map(resolved -> new InetSocketAddress(resolved, config.getPort()))
                .orElseGet(() -> InetSocketAddress.createUnresolved(config.getHost(), config.getPort())));
    }

    /** For the STARTTLS mode: the handler to put in place once the upstream agreed. */
    public UpstreamTlsContext tlsContext() {
        return tls.orElseThrow(() -> new IllegalStateException("no TLS configured toward " + config.getHost()));
    }

    public UpstreamConfig getConfig() {
        return config;
    }

    public String describe() {
        return config.getHost() + ":" + config.getPort() + " (" + config.getTls().name().toLowerCase(java.util.Locale.US) + ")";
    }
}
