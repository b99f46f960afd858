package org.jamesproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class InMemoryPolicyStateStoreTest implements PolicyStateStoreContract {
    private final Instant now = Instant.parse("2026-12-07T10:00:00Z");
    private final InMemoryPolicyStateStore store = new InMemoryPolicyStateStore(Clock.fixed(now, ZoneOffset.UTC));

    @Override
    public PolicyStateStore store() {
        return store;
    }

    @Override
    public Instant now() {
        return now;
    }

    @Test
    void sweepingShouldDropOnlyWhatExpired() {
        store.block(new BlockedSite("192.0.2.1", now.plusSeconds(10), "a", "p")).join();
        store.block(new BlockedSite("192.0.2.2", now.plusSeconds(100), "b", "p")).join();
        store.increment("c", Duration.ofSeconds(1), now).join();

        store.sweep(now.plusSeconds(50));

        assertThat(store.size()).isEqualTo(1);
        assertThat(store.blocked("192.0.2.2", now.plusSeconds(50)).join()).isPresent();
    }
}
