package org.jamesproxy.haproxy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Who the client of a connection really is: the socket's peer, or, on a policy behind HAProxy or a load balancer
 * ({@code <acceptProxyProtocol>}), the source named in the PROXY header its trusted proxy sent. This is the one
 * place the relays, logs, limits, inspection context and the identity sent upstream read the client address from.
 */
public final class ClientAddress {
    private static final AttributeKey<ClientAddress> ATTRIBUTE = AttributeKey.valueOf("org.jamesproxy.clientAddress");
    private static final AttributeKey<ClientAddress> UPSTREAM_OF = AttributeKey.valueOf("org.jamesproxy.upstreamOfClient");

    /** The client connection's effective addresses: those of its PROXY header, else the socket's own. */
    public static ClientAddress of(Channel client) {
        ClientAddress fromHeader = client.attr(ATTRIBUTE).get();
        if (fromHeader != null) {
            return fromHeader;
        }
        // Null for a connection that is not IP (an in-VM or test channel): callers treat it as "no address".
        return new ClientAddress(inetOrNull(client.remoteAddress()), inetOrNull(client.localAddress()), Optional.empty());
    }

    /** Records on an upstream channel whose client it serves, for what the upstream prelude tells the server. */
    public static void attachToUpstream(Channel upstream, ClientAddress client) {
        upstream.attr(UPSTREAM_OF).set(client);
    }

    /** The client an upstream channel serves (set by the upstream connector). */
    public static ClientAddress ofUpstream(Channel upstream) {
        ClientAddress client = upstream.attr(UPSTREAM_OF).get();
        if (client == null) {
            throw new IllegalStateException("upstream channel " + upstream + " was not opened by the UpstreamConnector");
        }
        return client;
    }

    /** Called once per connection by the listener, after a trusted proxy's header was decoded. */
    static void setFromProxyHeader(Channel client, InetSocketAddress source, InetSocketAddress destination) {
        client.attr(ATTRIBUTE).set(new ClientAddress(source, destination, Optional.of(inet(client.remoteAddress()))));
    }

    private static InetSocketAddress inetOrNull(SocketAddress address) {
        return address instanceof InetSocketAddress ? (InetSocketAddress) address : null;
    }

    private static InetSocketAddress inet(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            return (InetSocketAddress) address;
        }
        throw new IllegalStateException("not an IP connection: " + address);
    }

    private final InetSocketAddress source;
    private final InetSocketAddress destination;
    private final Optional<InetSocketAddress> proxiedBy;

    private ClientAddress(InetSocketAddress source, InetSocketAddress destination, Optional<InetSocketAddress> proxiedBy) {
        this.source = source;
        this.destination = destination;
        this.proxiedBy = proxiedBy;
    }

    /** The client's address and port. */
    public InetSocketAddress source() {
        return source;
    }

    /** The address and port the client connected to (ours, or the load balancer's front end). */
    public InetSocketAddress destination() {
        return destination;
    }

    /** The trusted proxy the connection came through, when it came through one. */
    public Optional<InetSocketAddress> proxiedBy() {
        return proxiedBy;
    }

    /** The client's IP as text, for logs and MDC ({@code 192.0.2.7}, {@code 2001:db8::7}). */
    public String hostAddress() {
        return source == null || source.getAddress() == null ? "(not IP)" : source.getAddress().getHostAddress();
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof ClientAddress) {
            ClientAddress that = (ClientAddress) o;
            return source.equals(that.source) && destination.equals(that.destination) && proxiedBy.equals(that.proxiedBy);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(source, destination, proxiedBy);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("source", source)
            .add("destination", destination)
            .add("proxiedBy", proxiedBy.orElse(null))
            .toString();
    }
}
