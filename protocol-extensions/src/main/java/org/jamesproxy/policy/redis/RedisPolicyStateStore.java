package org.jamesproxy.policy.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.jamesproxy.policy.BlockedSite;
import org.jamesproxy.policy.PolicyStateStore;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The shared {@link PolicyStateStore}: every James node pointed at the same Redis enforces one blocked-sites list,
 * one set of rate counters and one stickiness table. Keys (under a prefix, {@code jmp:} by default):
 * <ul>
 *   <li>{@code block:<address>} = {@code <until millis> <policy> <reason>}, expiring at {@code until}; the sorted set
 *   {@code blocked} indexes them by expiry for the listing;</li>
 *   <li>{@code count:<counter>:<window start>}: INCR, expiring after the window (one script, so the first INCR and
 *   its expiry are atomic);</li>
 *   <li>{@code sticky:<key>} = value, expiring at {@code until}.</li>
 * </ul>
 * Expiry times are computed from this node's clock; keep the nodes' clocks in sync (NTP), as for any TTL.
 */
public final class RedisPolicyStateStore implements PolicyStateStore {
    /** Extends a block only when the new one lasts longer, and indexes it; KEYS: block key, index; ARGV: value, ttl ms, until, address. */
    private static final String BLOCK = "local ttl = redis.call('PTTL', KEYS[1]) "
        + "if ttl > tonumber(ARGV[2]) then return 0 end "
        + "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
        + "redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) return 1";
    private static final String INCREMENT = "local count = redis.call('INCR', KEYS[1]) "
        + "if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return count";

    private final RedisEndpoint endpoint;
    private final String prefix;
    private final Clock clock;
    private final EventLoopGroup group;
    private final RedisClient client;

    public RedisPolicyStateStore(RedisEndpoint endpoint, String prefix, Duration timeout, Clock clock) {
        this.endpoint = endpoint;
        this.prefix = prefix;
        this.clock = clock;
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("mailproxy-redis", true));
        this.client = new RedisClient(endpoint, timeout, group);
    }

    @Override
    public CompletableFuture<Void> block(BlockedSite site) {
        long ttl = Duration.between(clock.instant(), site.until()).toMillis();
        if (ttl <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        long until = site.until().toEpochMilli();
        return client.send("EVAL", BLOCK, "2", key("block:" + site.address()), key("blocked"),
                until + "\n" + site.policy() + "\n" + site.reason(), Long.toString(ttl), Long.toString(until), site.address())
            .thenApply(reply -> null);
    }

    @Override
    public CompletableFuture<Optional<BlockedSite>> blocked(String address, Instant now) {
        return client.send("GET", key("block:" + address))
            .thenApply(reply -> Optional.ofNullable(((RespValue.Bulk) reply).text())
                .map(value -> site(address, value))
                .filter(site -> site.activeAt(now)));
    }

    @Override
    public CompletableFuture<Boolean> unblock(String address) {
        client.send("ZREM", key("blocked"), address);
        return client.send("DEL", key("block:" + address))
            .thenApply(reply -> ((RespValue.Integer) reply).value() > 0);
    }

    @Override
    public CompletableFuture<List<BlockedSite>> blockedSites(Instant now) {
        String nowMillis = Long.toString(now.toEpochMilli());
        client.send("ZREMRANGEBYSCORE", key("blocked"), "-inf", "(" + nowMillis);
        return client.send("ZRANGEBYSCORE", key("blocked"), nowMillis, "+inf").thenCompose(reply -> {
            List<String> addresses = new ArrayList<>();
            for (RespValue item : ((RespValue.Array) reply).items()) {
                addresses.add(((RespValue.Bulk) item).text());
            }
            if (addresses.isEmpty()) {
                return CompletableFuture.completedFuture(List.<BlockedSite>of());
            }
            String[] command = new String[addresses.size() + 1];
            command[0] = "MGET";
            for (int i = 0; i < addresses.size(); i++) {
                command[i + 1] = key("block:" + addresses.get(i));
            }
            return client.send(command).thenApply(values -> {
                List<BlockedSite> sites = new ArrayList<>();
                List<RespValue> items = ((RespValue.Array) values).items();
                for (int i = 0; i < addresses.size(); i++) {
                    String value = ((RespValue.Bulk) items.get(i)).text();
                    if (value != null) {
                        BlockedSite site = site(addresses.get(i), value);
                        if (site.activeAt(now)) {
                            sites.add(site);
                        }
                    }
                }
                return List.copyOf(sites);
            });
        });
    }

    @Override
    public CompletableFuture<Long> increment(String counter, Duration window, Instant now) {
        long length = window.toMillis();
        long start = Math.floorDiv(now.toEpochMilli(), length) * length;
        long ttl = Math.max(1, start + length - clock.instant().toEpochMilli());
        return client.send("EVAL", INCREMENT, "1", key("count:" + counter + ":" + start), Long.toString(ttl))
            .thenApply(reply -> ((RespValue.Integer) reply).value());
    }

    @Override
    public CompletableFuture<Optional<String>> sticky(String key, Instant now) {
        return client.send("GET", key("sticky:" + key)).thenApply(reply -> Optional.ofNullable(((RespValue.Bulk) reply).text()));
    }

    @Override
    public CompletableFuture<Void> stick(String key, String value, Instant until) {
        long ttl = Duration.between(clock.instant(), until).toMillis();
        if (ttl <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        return client.send("SET", key("sticky:" + key), value, "PX", Long.toString(ttl)).thenApply(reply -> null);
    }

    @Override
    public String describe() {
        return endpoint.toString();
    }

    @Override
    public void close() {
        client.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private String key(String name) {
        return prefix + name;
    }

    private static BlockedSite site(String address, String value) {
        String[] parts = value.split("\n", 3);
        return new BlockedSite(address, Instant.ofEpochMilli(Long.parseLong(parts[0])),
            parts.length > 2 ? parts[2] : "", parts.length > 1 ? parts[1] : "");
    }
}
