package org.jamesproxy.policy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.google.common.collect.ImmutableList;

/**
 * The default {@link PolicyStateStore}: one JVM's maps. Expired entries are swept every {@value #SWEEP_EVERY}
 * writes, so memory follows the number of live entries, not the history.
 */
public final class InMemoryPolicyStateStore implements PolicyStateStore {
    static final int SWEEP_EVERY = 4096;

    private record Window(long start, long end, AtomicLong count) {
    }

    private record Stick(String value, Instant until) {
    }

    private final Map<String, BlockedSite> blocked = new ConcurrentHashMap<>();
    private final Map<String, Window> counters = new ConcurrentHashMap<>();
    private final Map<String, Stick> sticky = new ConcurrentHashMap<>();
    private final AtomicInteger writes = new AtomicInteger();
    /** Only for sweeping: lookups use the time their caller passes. */
    private final Clock clock;

    public InMemoryPolicyStateStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Void> block(BlockedSite site) {
        blocked.merge(site.address(), site, (old, added) -> added.until().isAfter(old.until()) ? added : old);
        wrote();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Optional<BlockedSite>> blocked(String address, Instant now) {
        BlockedSite site = blocked.get(address);
        if (site != null && !site.activeAt(now)) {
            blocked.remove(address, site);
            site = null;
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(site));
    }

    @Override
    public CompletableFuture<Boolean> unblock(String address) {
        return CompletableFuture.completedFuture(blocked.remove(address) != null);
    }

    @Override
    public CompletableFuture<List<BlockedSite>> blockedSites(Instant now) {
        return CompletableFuture.completedFuture(blocked.values().stream()
            .filter(site -> site.activeAt(now))
            .sorted(Comparator.comparing(BlockedSite::until).thenComparing(BlockedSite::address))
            .collect(ImmutableList.toImmutableList()));
    }

    @Override
    public CompletableFuture<Long> increment(String counter, Duration window, Instant now) {
        long length = window.toMillis();
        long start = Math.floorDiv(now.toEpochMilli(), length) * length;
        Window current = counters.compute(counter, (key, old) -> old != null && old.start() == start
            ? old : new Window(start, start + length, new AtomicLong()));
        long count = current.count().incrementAndGet();
        wrote();
        return CompletableFuture.completedFuture(count);
    }

    @Override
    public CompletableFuture<Optional<String>> sticky(String key, Instant now) {
        Stick stick = sticky.get(key);
        return CompletableFuture.completedFuture(stick == null || !now.isBefore(stick.until())
            ? Optional.empty() : Optional.of(stick.value()));
    }

    @Override
    public CompletableFuture<Void> stick(String key, String value, Instant until) {
        sticky.put(key, new Stick(value, until));
        wrote();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public String describe() {
        return "memory";
    }

    int size() {
        return blocked.size() + counters.size() + sticky.size();
    }

    private void wrote() {
        if (writes.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep(clock.instant());
        }
    }

    /** Drops what expired by {@code now}. */
    void sweep(Instant now) {
        long millis = now.toEpochMilli();
        blocked.values().removeIf(site -> !site.activeAt(now));
        counters.values().removeIf(window -> window.end() <= millis);
        sticky.values().removeIf(stick -> !now.isBefore(stick.until()));
    }
}
