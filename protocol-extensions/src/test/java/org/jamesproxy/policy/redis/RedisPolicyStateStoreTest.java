package org.jamesproxy.policy.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;

import org.jamesproxy.engine.testing.RedisDaemon;
import org.jamesproxy.policy.BlockedSite;
import org.jamesproxy.policy.PolicyStateStore;
import org.jamesproxy.policy.PolicyStateStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared store against a real redis-server, including the server going away and coming back. */
class RedisPolicyStateStoreTest implements PolicyStateStoreContract {
    @RegisterExtension
    static RedisDaemon redis = new RedisDaemon();

    private final RedisPolicyStateStore store = new RedisPolicyStateStore(RedisEndpoint.parse(redis.uri()),
        "jmp-test-" + System.nanoTime() + ":", Duration.ofSeconds(2), Clock.systemUTC());

    @AfterEach
    void tearDown() {
        store.close();
        redis.start();
    }

    @Override
    public PolicyStateStore store() {
        return store;
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Test
    void twoNodesShouldShareOneBlockList() {
        try (RedisPolicyStateStore otherNode = new RedisPolicyStateStore(RedisEndpoint.parse(redis.uri()), "shared:",
            Duration.ofSeconds(2), Clock.systemUTC());
             RedisPolicyStateStore node = new RedisPolicyStateStore(RedisEndpoint.parse(redis.uri()), "shared:",
                 Duration.ofSeconds(2), Clock.systemUTC())) {
            node.block(new BlockedSite("203.0.113.5", Instant.now().plusSeconds(60), "auto-block", "imap")).join();

            assertThat(otherNode.blocked("203.0.113.5", Instant.now()).join()).isPresent();
        }
    }

    @Test
    void aStoppedServerShouldFailTheAnswerAndARestartedOneShouldServeAgain() {
        store.stick("k", "v", Instant.now().plusSeconds(60)).join();
        redis.stop();

        assertThatThrownBy(() -> store.sticky("k", Instant.now()).join()).isInstanceOf(CompletionException.class);

        redis.start();

        assertThat(store.increment("after-restart", Duration.ofMinutes(1), Instant.now()).join()).isEqualTo(1);
    }

    @Test
    void endpointsShouldBeParsedWithoutPrintingThePassword() {
        RedisEndpoint endpoint = RedisEndpoint.parse("redis://:s3cret@10.0.0.5:6380/2");

        assertThat(endpoint.host()).isEqualTo("10.0.0.5");
        assertThat(endpoint.port()).isEqualTo(6380);
        assertThat(endpoint.database()).isEqualTo(2);
        assertThat(endpoint.password()).contains("s3cret");
        assertThat(endpoint.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> RedisEndpoint.parse("rediss://10.0.0.5")).hasMessageContaining("not supported");
    }
}
