package org.jamesproxy.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamesproxy.engine.testing.RedisDaemon;
import org.jamesproxy.policy.AccessControl;
import org.jamesproxy.policy.AccessPolicy;
import org.jamesproxy.policy.AccessRule;
import org.jamesproxy.policy.AccessRules;
import org.jamesproxy.policy.AddressRange;
import org.jamesproxy.policy.BlockedSite;
import org.jamesproxy.policy.Disposition;
import org.jamesproxy.policy.InMemoryPolicyStateStore;
import org.jamesproxy.policy.LoggingClientBlocker;
import org.jamesproxy.policy.OperatingSchedule;
import org.jamesproxy.policy.PolicyStateStore;
import org.jamesproxy.policy.redis.RedisEndpoint;
import org.jamesproxy.policy.redis.RedisPolicyStateStore;

import com.google.common.collect.ImmutableList;

/**
 * The connect-time cost of the policy rules (run it, don't assert on it): the decision {@link AccessControl#onConnect}
 * takes for each new connection, with 10,000 access rules (deny /24 blocks, the client matching none, so every rule is
 * looked at) and 100,000 blocked sites in the store, auto-block and a per-minute rate limit on (two store round trips:
 * the blocked-sites lookup and the counter), against the baseline of a policy without rules. Each store: in memory, and
 * a real redis-server on loopback (started here when installed; {@code -Dbench.redis=none} leaves it out).
 * Prints p50/p99/p99.9 of the decision and the added p99 over the baseline.
 * Properties: {@code bench.rules} (10000), {@code bench.blocked} (100000), {@code bench.connections} (20000).
 */
public final class AccessRulesBenchmark {
    private AccessRulesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rules = Integer.getInteger("bench.rules", 10_000);
        int blocked = Integer.getInteger("bench.blocked", 100_000);
        int connections = Integer.getInteger("bench.connections", 20_000);
        System.out.printf("Access rules benchmark: %,d rules, %,d blocked sites, %,d connects per scenario%n", rules, blocked, connections);

        try (PolicyStateStore memory = new InMemoryPolicyStateStore(Clock.systemUTC())) {
            run("memory", memory, rules, blocked, connections);
        }
        if (!"none".equals(System.getProperty("bench.redis"))) {
            try (RedisDaemon redis = new RedisDaemon()) {
                redis.start();
                try (RedisPolicyStateStore store = new RedisPolicyStateStore(RedisEndpoint.parse(redis.uri()), "bench:",
                    Duration.ofSeconds(2), Clock.systemUTC())) {
                    run("redis", store, rules, blocked, connections);
                }
            }
        }
    }

    private static void run(String label, PolicyStateStore store, int ruleCount, int blockedCount, int connections) throws Exception {
        Instant now = Instant.now();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < blockedCount; i++) {
            writes.add(store.block(new BlockedSite(address(10, i), now.plus(Duration.ofHours(1)), "bench", "bench")));
            if (writes.size() == 1000) {
                CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
                writes.clear();
            }
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();

        ImmutableList.Builder<AccessRule> denies = ImmutableList.builder();
        for (int i = 0; i < ruleCount; i++) {
            // 172.16.0.0/24, 172.16.1.0/24, ...: never the benchmark's clients (192.168.x.x).
            String block = "172." + (16 + i / 256) + "." + (i % 256) + ".0/24";
            denies.add(new AccessRule("deny-" + i, List.of(AddressRange.parse(block)), Disposition.DENIED, false));
        }
        AccessPolicy withRules = new AccessPolicy(new AccessRules(denies.build(), AccessRules.ALLOW_ALL.defaultRule()),
            new AccessPolicy.AutoBlock(true, Duration.ofMinutes(20), List.of(), true, 5, 0, Duration.ofMinutes(10)),
            new AccessPolicy.RateLimits(0, 1_000_000, false), OperatingSchedule.ALWAYS, Disposition.DENIED);
        RecordingMetricFactory metrics = new RecordingMetricFactory();
        AccessControl baseline = new AccessControl("bench", AccessPolicy.OPEN, store, Clock.systemUTC(), metrics,
            new LoggingClientBlocker(metrics));
        AccessControl ruled = new AccessControl("bench", withRules, store, Clock.systemUTC(), metrics,
            new LoggingClientBlocker(metrics));

        InetAddress[] clients = new InetAddress[connections];
        Random random = new Random(42);
        for (int i = 0; i < connections; i++) {
            clients[i] = InetAddress.getByName("192.168." + random.nextInt(256) + "." + random.nextInt(256));
        }
        measure(baseline, clients, connections / 10);   // warm-up
        measure(ruled, clients, connections / 10);
        long[] base = measure(baseline, clients, connections);
        long[] with = measure(ruled, clients, connections);
        System.out.printf("%-6s baseline (no rules)      p50 %7.1f us  p99 %7.1f us  p99.9 %7.1f us%n", label,
            micros(base, 0.50), micros(base, 0.99), micros(base, 0.999));
        System.out.printf("%-6s %,d rules + %,d blocked  p50 %7.1f us  p99 %7.1f us  p99.9 %7.1f us%n", label, ruleCount,
            blockedCount, micros(with, 0.50), micros(with, 0.99), micros(with, 0.999));
        System.out.printf("%-6s added p99 per connection: %.1f us (ratio %.2f)%n", label,
            micros(with, 0.99) - micros(base, 0.99), micros(with, 0.99) / Math.max(0.001, micros(base, 0.99)));
    }

    private static long[] measure(AccessControl access, InetAddress[] clients, int count) {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            AccessControl.Decision decision = access.onConnect(clients[i % clients.length]).join();
            nanos[i] = System.nanoTime() - start;
            if (!decision.allowed()) {
                throw new IllegalStateException("benchmark client refused: " + decision.reason());
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static double micros(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) (quantile * sorted.length))] / 1000.0;
    }

    private static String address(int first, int index) throws UnknownHostException {
        return first + "." + (index >> 16 & 255) + "." + (index >> 8 & 255) + "." + (index & 255);
    }
}
