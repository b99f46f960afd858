package org.jamesproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** What every {@link PolicyStateStore} backend does, with the time each test passes in. */
public interface PolicyStateStoreContract {
    PolicyStateStore store();

    /** The store's own clock: the instant entries' lifetimes are counted from. */
    Instant now();

    @Test
    default void aBlockedSiteShouldBeListedUntilItExpires() {
        Instant now = now();
        store().block(new BlockedSite("192.0.2.7", now.plusSeconds(60), "5 failed logins", "imap")).join();

        assertThat(store().blocked("192.0.2.7", now).join()).hasValueSatisfying(site -> {
            assertThat(site.reason()).isEqualTo("5 failed logins");
            assertThat(site.policy()).isEqualTo("imap");
            assertThat(site.until().toEpochMilli()).isEqualTo(now.plusSeconds(60).toEpochMilli());
        });
        assertThat(store().blockedSites(now).join()).extracting(BlockedSite::address).contains("192.0.2.7");
        assertThat(store().blocked("192.0.2.7", now.plusSeconds(61)).join()).isEmpty();
        assertThat(store().blocked("192.0.2.8", now).join()).isEmpty();
    }

    @Test
    default void aShorterBlockShouldNotShortenALongerOne() {
        Instant now = now();
        store().block(new BlockedSite("192.0.2.9", now.plusSeconds(600), "long", "smtp")).join();
        store().block(new BlockedSite("192.0.2.9", now.plusSeconds(60), "short", "smtp")).join();

        assertThat(store().blocked("192.0.2.9", now.plusSeconds(120)).join()).isPresent();
    }

    @Test
    default void unblockShouldRemoveTheEntry() {
        Instant now = now();
        store().block(new BlockedSite("192.0.2.10", now.plusSeconds(60), "test", "pop3")).join();

        assertThat(store().unblock("192.0.2.10").join()).isTrue();
        assertThat(store().blocked("192.0.2.10", now).join()).isEmpty();
        assertThat(store().blockedSites(now).join()).extracting(BlockedSite::address).doesNotContain("192.0.2.10");
        assertThat(store().unblock("192.0.2.10").join()).isFalse();
    }

    @Test
    default void countersShouldCountPerFixedWindow() {
        // A window that starts well after now, so that the test never straddles a window boundary.
        Instant windowStart = Instant.ofEpochMilli((now().toEpochMilli() / 60_000 + 1) * 60_000);
        String counter = "test-" + System.nanoTime();

        assertThat(store().increment(counter, Duration.ofMinutes(1), windowStart).join()).isEqualTo(1);
        assertThat(store().increment(counter, Duration.ofMinutes(1), windowStart.plusSeconds(30)).join()).isEqualTo(2);
        assertThat(store().increment(counter, Duration.ofMinutes(1), windowStart.plusSeconds(60)).join()).isEqualTo(1);
        assertThat(store().increment(counter + "-other", Duration.ofMinutes(1), windowStart).join()).isEqualTo(1);
    }

    @Test
    default void stickyValuesShouldLastUntilTheirEnd() {
        Instant now = now();
        store().stick("pool:198.51.100.1", "imap-b", now.plusSeconds(60)).join();

        assertThat(store().sticky("pool:198.51.100.1", now).join()).contains("imap-b");
        assertThat(store().sticky("pool:198.51.100.2", now).join()).isEmpty();
    }
}
