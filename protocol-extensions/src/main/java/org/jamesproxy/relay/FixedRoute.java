package org.jamesproxy.relay;

import java.util.Optional;

import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.upstream.UpstreamConnector;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.ssl.SslHandler;

/** Every connection goes to the policy's upstream; the client leg presents the Proxy Server certificate. */
public final class FixedRoute implements UpstreamRoute {
    private final UpstreamConnector connector;

    public FixedRoute(UpstreamConnector connector) {
        this.connector = connector;
    }

    /** Connects the prelude's leg through a connector; a refused or timed-out connection fails the prelude. */
    public static void open(UpstreamConnector target, Channel client, UpstreamPrelude prelude) {
        target.connect(client, prelude).addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess()) {
                prelude.connectFailed("cannot connect to " + target.describe() + ": " + Failures.describe(future.cause()));
            }
        });
    }

    @Override
    public UpstreamConnector connector() {
        return connector;
    }

    @Override
    public Routing begin(RoutedSession session) {
        return new Routing() {
            @Override
            public void connect(UpstreamPrelude prelude) {
                open(connector, session.client(), prelude);
            }

            @Override
            public String describeUpstream() {
                return connector.describe();
            }

            @Override
            public boolean mayWaitForFirstCommand() {
                return true;
            }

            @Override
            public Optional<SslHandler> clientTlsHandler(ServerTlsContext configured, Channel upstream) {
                return Optional.of(configured.newHandler(session.client().alloc()));
            }
        };
    }

    @Override
    public String toString() {
        return connector.describe();
    }
}
