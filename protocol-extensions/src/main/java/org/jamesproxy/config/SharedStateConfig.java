package org.jamesproxy.config;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.jamesproxy.policy.InMemoryPolicyStateStore;
import org.jamesproxy.policy.PolicyStateStore;
import org.jamesproxy.policy.redis.RedisEndpoint;
import org.jamesproxy.policy.redis.RedisPolicyStateStore;

/**
 * Where the policy rules keep their state (blocked sites, rate counters, stickiness):
 * {@code <sharedState><redis uri="redis://10.0.0.5:6379" keyPrefix="jmp:" timeout="250ms"/></sharedState>} for
 * one state across James nodes; absent, each JVM keeps its own in memory.
 */
public record SharedStateConfig(Optional<RedisEndpoint> redis, String keyPrefix, Duration timeout) {
    public static final SharedStateConfig MEMORY = new SharedStateConfig(Optional.empty(), "jmp:", Duration.ofMillis(250));

    public static SharedStateConfig parse(ConfigValues root) throws ConfigurationException {
        if (!root.has("sharedState.redis")) {
            return MEMORY;
        }
        ConfigValues redis = root.child("sharedState.redis", "sharedState.redis");
        String uri = redis.requiredString("[@uri]");
        try {
            return new SharedStateConfig(Optional.of(RedisEndpoint.parse(uri)), redis.string("[@keyPrefix]", "jmp:"),
                redis.duration("[@timeout]", "250ms"));
        } catch (IllegalArgumentException e) {
            throw redis.invalid("[@uri]", uri.replaceAll(":[^:@/]*@", ":***@"), e.getMessage());
        }
    }

    public PolicyStateStore open(Clock clock) {
        return redis.<PolicyStateStore>map(endpoint -> new RedisPolicyStateStore(endpoint, keyPrefix, timeout, clock))
            .orElseGet(() -> new InMemoryPolicyStateStore(clock));
    }
}
