package org.jamesproxy.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The state the policy rules share between connections and, with a shared backend, between James nodes: the
 * blocked-sites list, event counters (connection rates, failed logins) and sticky upstream choices. Every entry
 * expires by itself, so a backend can map them onto keys with a time to live.
 * <p>
 * Called on the listeners' event loops at every connect: an implementation answers from memory or a fast store,
 * and keeps its own bounds.
 */
public interface PolicyStateStore {
    /** Adds or extends an entry (a later {@code until} wins). */
    void block(BlockedSite site);

    Optional<BlockedSite> blocked(String address, Instant now);

    /** @return true when an entry was removed */
    boolean unblock(String address);

    /** The entries still active at {@code now}, soonest expiry first. */
    List<BlockedSite> blockedSites(Instant now);

    /**
     * Counts one event in the fixed window of length {@code window} that holds {@code now} (windows start at
     * multiples of {@code window} since the epoch, as a backend with key expiry would count them).
     *
     * @return the events counted in that window, this one included
     */
    long increment(String counter, Duration window, Instant now);

    /** The member a key stuck to, while the stickiness lasts. */
    Optional<String> sticky(String key, Instant now);

    void stick(String key, String member, Instant until);
}
