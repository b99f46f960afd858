package org.jamesproxy.balance;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.jamesproxy.config.UpstreamPool;
import org.jamesproxy.policy.PolicyStateStore;
import org.jamesproxy.relay.Failures;
import org.jamesproxy.relay.RoutedSession;
import org.jamesproxy.relay.UpstreamPrelude;
import org.jamesproxy.relay.UpstreamRoute;
import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.upstream.UpstreamConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.ssl.SslHandler;

/**
 * A "Server" policy whose upstream is a pool: each connection goes to the member the balancer picks among those up,
 * or to the one its client address stuck to (kept in the shared {@link PolicyStateStore}, so every node behind a load
 * balancer agrees). A member that refuses a connection is marked down at once and that client gets the protocol's
 * temporary failure; its retry goes to another member. The health checks bring members back.
 */
public final class PoolRoute implements UpstreamRoute {
    private static final Logger LOGGER = LoggerFactory.getLogger(PoolRoute.class);

    private final String policyName;
    private final UpstreamPool pool;
    private final ImmutableList<PoolMember> members;
    private final Balancer balancer;
    private final PolicyStateStore store;
    private final Clock clock;

    public PoolRoute(String policyName, UpstreamPool pool, List<UpstreamConnector> connectors, PolicyStateStore store, Clock clock) {
        this.policyName = policyName;
        this.pool = pool;
        ImmutableList.Builder<PoolMember> built = ImmutableList.builder();
        for (int index = 0; index < pool.members().size(); index++) {
            built.add(new PoolMember(pool.members().get(index), connectors.get(index)));
        }
        this.members = built.build();
        this.balancer = new Balancer(pool.balance());
        this.store = store;
        this.clock = clock;
    }

    /** Loads the TLS context of one member's leg (its trust store and expected name). */
    @FunctionalInterface
    public interface LegTls {
        Optional<org.jamesproxy.tls.UpstreamTlsContext> load(org.jamesproxy.config.UpstreamConfig leg, String path)
            throws org.apache.commons.configuration2.ex.ConfigurationException;
    }

    /** The route of a pooled policy: one connector per member, each verified for its own name. */
    public static PoolRoute create(org.jamesproxy.config.ProxyPolicy policy, UpstreamPool pool, LegTls tls, String path,
                                   PolicyStateStore store, Clock clock)
        throws org.apache.commons.configuration2.ex.ConfigurationException {
        ImmutableList.Builder<UpstreamConnector> connectors = ImmutableList.builder();
        for (int index = 0; index < pool.members().size(); index++) {
            UpstreamPool.Member member = pool.members().get(index);
            org.jamesproxy.config.UpstreamConfig leg = policy.getUpstream().forMember(member.host(), member.port(),
                member.expectedHostName());
            connectors.add(new UpstreamConnector(leg, tls.load(leg, path + ".upstream.pool.member[" + index + "]")));
        }
        return new PoolRoute(policy.getName(), pool, connectors.build(), store, clock);
    }

    public List<PoolMember> members() {
        return members;
    }

    public UpstreamPool pool() {
        return pool;
    }

    public String policyName() {
        return policyName;
    }

    /** The first member: what the protocol's prelude is built with; each connection is routed to its own member. */
    @Override
    public UpstreamConnector connector() {
        return members.get(0).connector();
    }

    @Override
    public Routing begin(RoutedSession session) {
        return new Routing() {
            private volatile PoolMember chosen;

            @Override
            public void connect(UpstreamPrelude prelude) {
                choose(session).whenComplete((member, failure) -> {
                    if (failure != null || member.isEmpty()) {
                        prelude.connectFailed("no server of the pool is available ("
                            + members.stream().map(PoolMember::toString).reduce((a, b) -> a + ", " + b).orElse("") + ")");
                        return;
                    }
                    chosen = member.get();
                    open(chosen, session.client(), prelude);
                });
            }

            @Override
            public String describeUpstream() {
                PoolMember member = chosen;
                return member == null ? "pool of " + policyName : member.connector().describe();
            }

            @Override
            public Optional<SslHandler> clientTlsHandler(ServerTlsContext configured, Channel upstream) {
                return Optional.of(configured.newHandler(session.client().alloc()));
            }

            /** As a fixed upstream: a client that sends nothing costs no member a connection. */
            @Override
            public boolean mayWaitForFirstCommand() {
                return true;
            }
        };
    }

    private CompletableFuture<Optional<PoolMember>> choose(RoutedSession session) {
        Optional<String> source = source(session.client());
        // An access rule's To list narrows the pool for this client.
        java.util.List<String> allowed = session.client().attr(org.jamesproxy.listener.ConnectGate.ALLOWED_MEMBERS).get();
        List<PoolMember> candidates = allowed == null ? members
            : members.stream().filter(member -> allowed.contains(member.id())).toList();
        if (pool.sticky().isZero() || source.isEmpty()) {
            return CompletableFuture.completedFuture(balancer.choose(candidates));
        }
        String key = "pool:" + policyName + ":" + source.get();
        Instant now = clock.instant();
        return store.sticky(key, now)
            .exceptionally(failure -> Optional.empty())
            .thenApply(stuck -> {
                Optional<PoolMember> member = stuck.flatMap(this::member).filter(PoolMember::isUp)
                    .filter(candidates::contains)
                    .or(() -> balancer.choose(candidates));
                member.ifPresent(found -> store.stick(key, found.id(), now.plus(pool.sticky())));
                return member;
            });
    }

    private Optional<PoolMember> member(String id) {
        return members.stream().filter(member -> member.id().equals(id)).findFirst();
    }

    private void open(PoolMember member, Channel client, UpstreamPrelude prelude) {
        prelude.routeTo(member.connector());
        member.connector().connect(client, prelude).addListener((ChannelFutureListener) future -> {
            if (future.isSuccess()) {
                member.opened();
                future.channel().closeFuture().addListener(closed -> member.closed());
                return;
            }
            String reason = "cannot connect to " + member.connector().describe() + ": " + Failures.describe(future.cause());
            if (member.connectFailed(reason)) {
                LOGGER.warn("Policy {}: pool member {} marked down: {}", policyName, member.id(), reason);
            }
            prelude.connectFailed(reason);
        });
    }

    private static Optional<String> source(Channel client) {
        InetSocketAddress remote = org.jamesproxy.haproxy.ClientAddress.of(client).source();
        return remote == null || remote.getAddress() == null ? Optional.empty() : Optional.of(remote.getAddress().getHostAddress());
    }

    @Override
    public String toString() {
        return "pool " + members;
    }
}
