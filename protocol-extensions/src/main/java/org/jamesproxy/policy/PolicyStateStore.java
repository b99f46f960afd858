package org.jamesproxy.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The state the policy rules share between connections and, with a shared backend, between James nodes: the
 * blocked-sites list, event counters (connection rates, failed logins) and sticky choices (upstream pool members,
 * user lock-outs). Every entry expires by itself, so a backend maps them onto keys with a time to live.
 * <p>
 * Asynchronous because a shared backend answers over the network and callers are event loops, which must not wait:
 * the in-memory store answers with completed futures. A failed future means the store is unreachable; callers
 * decide per use whether that fails open or closed.
 */
public interface PolicyStateStore extends AutoCloseable {
    /** Adds or extends an entry (a later {@code until} wins). */
    CompletableFuture<Void> block(BlockedSite site);

    CompletableFuture<Optional<BlockedSite>> blocked(String address, Instant now);

    /** @return true when an entry was removed */
    CompletableFuture<Boolean> unblock(String address);

    /** The entries still active at {@code now}, soonest expiry first. */
    CompletableFuture<List<BlockedSite>> blockedSites(Instant now);

    /**
     * Counts one event in the fixed window of length {@code window} that holds {@code now} (windows start at
     * multiples of {@code window} since the epoch, as a backend with key expiry counts them).
     *
     * @return the events counted in that window, this one included
     */
    CompletableFuture<Long> increment(String counter, Duration window, Instant now);

    /** The value a key stuck to, while it lasts. */
    CompletableFuture<Optional<String>> sticky(String key, Instant now);

    CompletableFuture<Void> stick(String key, String value, Instant until);

    /** Where the state lives, for logs and the operator routes: {@code memory}, {@code redis://host:port}. */
    String describe();

    @Override
    default void close() {
    }
}
