package org.jamesproxy.imap.view;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** An LRU cache bounded by entry count and bytes; views above a threshold are kept in spill files. */
public final class InMemoryVerdictCache implements VerdictCache {

    /** Entries older than {@code maxAge} (by {@code clock}) are dropped on access. */
    public InMemoryVerdictCache(int maxEntries, long maxBytes, long spillAboveBytes, Path spillDir, Duration maxAge, Clock clock) {
    }

    public InMemoryVerdictCache(int maxEntries, long maxBytes, long spillAboveBytes, Path spillDir) {
        this(maxEntries, maxBytes, spillAboveBytes, spillDir, null, Clock.systemUTC());
    }

    @Override
    public Optional<InspectedView> get(ViewKey key) { throw new UnsupportedOperationException("skeleton"); }

    @Override
    public void put(ViewKey key, InspectedView view) { throw new UnsupportedOperationException("skeleton"); }

    @Override
    public void invalidate(String scopeUserMailbox, long uidValidity) { throw new UnsupportedOperationException("skeleton"); }

    @Override
    public void dropUser(String upstream, String user) { throw new UnsupportedOperationException("skeleton"); }

    public int entries() { throw new UnsupportedOperationException("skeleton"); }

    public long bytes() { throw new UnsupportedOperationException("skeleton"); }

    @Override
    public void close() { throw new UnsupportedOperationException("skeleton"); }
}
