package org.jamesproxy.imap.view;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verdict cache of one proxy process: LRU, bounded by entry count and by bytes (the sum of the cached messages'
 * sizes, in memory and in spill files alike, so both heap and disk stay under {@code maxBytes}). A view larger than
 * {@code spillAboveBytes} is written to a file under its own directory in {@code spillDir} and kept there; a view
 * larger than {@code maxBytes} is not kept. Thread-safe.
 *
 * <p>Spilling: a large view is cached in memory at once and written to its file by the {@code spiller}, so the
 * session serving it does not wait for the disk; {@code put}'s stage completes once the file holds it (the caller
 * keeps the view's memory accounted until then). Until that, {@code get} hands out the view in memory.
 *
 * <p>Ownership: the cache owns what {@code put} was given; evicting, replacing, invalidating, dropping or closing
 * releases the entry's bytes (a spill file is unlinked then). A view already handed out by {@code get} stays
 * readable for a grace period after that (see {@link MessageBytes#spilled}): long enough to finish the response
 * being served; a session must not keep a view across commands, it asks the cache again.
 *
 * <p>Sessions: entries are shared by all sessions of a user (same key); the session calls {@link #dropUser} when the
 * user's last session logs out, and {@link #invalidate} when SELECT/EXAMINE reports a UIDVALIDITY.
 */
public final class InMemoryVerdictCache implements VerdictCache {
    private static final Logger LOGGER = LoggerFactory.getLogger(InMemoryVerdictCache.class);
    private static final CompletionStage<Void> STORED = CompletableFuture.completedFuture(null);

    private final int maxEntries;
    private final long maxBytes;
    private final long spillAboveBytes;
    private final Path spillDir;
    private final Duration maxAge;
    private final Clock clock;
    private final Executor spiller;
    /** Cached views in memory whose spill file is not written yet; an entry dropped meanwhile is taken out. */
    private final Set<Entry> awaitingSpill = Collections.newSetFromMap(new IdentityHashMap<>());
    private final LinkedHashMap<ViewKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private boolean closed;
    private Path ownDir;

    private record Entry(InspectedView view, Instant stored) {
        long size() {
            return view.size();
        }
    }

    /**
     * @param maxEntries at most this many views
     * @param maxBytes at most this many bytes of views (memory and spill files)
     * @param spillAboveBytes views larger than this are kept in a spill file
     * @param spillDir where spill files go (a per-cache directory is made in it, removed on close)
     * @param maxAge entries older than this are dropped on access; null: no age limit
     * @param clock what ages are measured with
     * @param spiller where spill files are written (never an event loop)
     */
    public InMemoryVerdictCache(int maxEntries, long maxBytes, long spillAboveBytes, Path spillDir, Duration maxAge,
                                Clock clock, Executor spiller) {
        if (maxEntries < 0 || maxBytes < 0 || spillAboveBytes < 0) {
            throw new IllegalArgumentException("cache bounds must not be negative");
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.spillAboveBytes = spillAboveBytes;
        this.spillDir = Objects.requireNonNull(spillDir, "spillDir");
        this.maxAge = maxAge;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.spiller = Objects.requireNonNull(spiller, "spiller");
    }

    /** Spill files written by the thread that puts. */
    public InMemoryVerdictCache(int maxEntries, long maxBytes, long spillAboveBytes, Path spillDir, Duration maxAge, Clock clock) {
        this(maxEntries, maxBytes, spillAboveBytes, spillDir, maxAge, clock, Runnable::run);
    }

    public InMemoryVerdictCache(int maxEntries, long maxBytes, long spillAboveBytes, Path spillDir, Executor spiller) {
        this(maxEntries, maxBytes, spillAboveBytes, spillDir, null, Clock.systemUTC(), spiller);
    }

    public InMemoryVerdictCache(int maxEntries, long maxBytes, long spillAboveBytes, Path spillDir) {
        this(maxEntries, maxBytes, spillAboveBytes, spillDir, Runnable::run);
    }

    @Override
    public Optional<InspectedView> get(ViewKey key) {
        List<Entry> dropped = new ArrayList<>(1);
        Optional<InspectedView> found;
        synchronized (this) {
            Entry entry = entries.get(key);
            if (entry != null && expired(entry)) {
                entries.remove(key);
                bytes -= entry.size();
                drop(entry, dropped);
                entry = null;
            }
            found = Optional.ofNullable(entry).map(Entry::view);
        }
        release(dropped);
        return found;
    }

    @Override
    public CompletionStage<Void> put(ViewKey key, InspectedView view) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(view, "view");
        if (view.size() > maxBytes || maxEntries == 0 || isClosed()) {
            view.bytes().release();
            return STORED;
        }
        Entry entry = new Entry(view, clock.instant());
        boolean spills = view.size() > spillAboveBytes && !view.bytes().isSpilled();
        List<Entry> dropped = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                dropped.add(entry);
                spills = false;
            } else {
                Entry previous = entries.put(key, entry);
                bytes += entry.size();
                if (previous != null) {
                    bytes -= previous.size();
                    if (previous.view() != view) {
                        drop(previous, dropped);
                    } else {
                        awaitingSpill.remove(previous); // the same view again: the new entry spills it
                    }
                }
                if (spills) {
                    awaitingSpill.add(entry);
                }
                Iterator<Map.Entry<ViewKey, Entry>> eldest = entries.entrySet().iterator();
                while ((entries.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
                    Entry evicted = eldest.next().getValue();
                    eldest.remove();
                    bytes -= evicted.size();
                    drop(evicted, dropped);
                }
            }
        }
        release(dropped);
        if (!spills) {
            return STORED;
        }
        CompletableFuture<Void> spilled = new CompletableFuture<>();
        Runnable write = () -> {
            try {
                spillInPlace(key, entry);
            } finally {
                spilled.complete(null);
            }
        };
        try {
            spiller.execute(write);
        } catch (RejectedExecutionException e) {
            write.run(); // the pool is shutting down: written here
        }
        return spilled;
    }

    @Override
    public void invalidate(String scopeUserMailbox, long uidValidity) {
        removeIf(key -> key.scopeUserMailbox().equals(scopeUserMailbox) && key.uidValidity() != uidValidity);
    }

    @Override
    public void dropUser(String upstream, String user) {
        removeIf(key -> key.upstream().equals(upstream) && key.user().equals(user));
    }

    /** How many views are cached. */
    public synchronized int entries() {
        return entries.size();
    }

    /** How many bytes of views are cached (memory and spill files). */
    public synchronized long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        List<Entry> dropped;
        Path dir;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            dropped = new ArrayList<>(entries.values());
            entries.clear();
            awaitingSpill.clear();
            bytes = 0;
            dir = ownDir;
        }
        release(dropped);
        if (dir != null) {
            try (var leftovers = Files.list(dir)) {
                for (Path file : leftovers.toList()) {
                    Files.deleteIfExists(file);
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                LOGGER.warn("Could not remove the verdict cache's spill directory {}", dir, e);
            }
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private boolean expired(Entry entry) {
        return maxAge != null && entry.stored().plus(maxAge).isBefore(clock.instant());
    }

    private void removeIf(Predicate<ViewKey> matching) {
        List<Entry> dropped = new ArrayList<>();
        synchronized (this) {
            Iterator<Map.Entry<ViewKey, Entry>> all = entries.entrySet().iterator();
            while (all.hasNext()) {
                Map.Entry<ViewKey, Entry> entry = all.next();
                if (matching.test(entry.getKey())) {
                    all.remove();
                    bytes -= entry.getValue().size();
                    drop(entry.getValue(), dropped);
                }
            }
        }
        release(dropped);
    }

    private static void release(List<Entry> dropped) {
        for (Entry entry : dropped) {
            try {
                entry.view().bytes().release();
            } catch (UncheckedIOException e) {
                LOGGER.warn("Could not release an evicted view", e);
            }
        }
    }

    /** Called under the lock when an entry leaves the map: its bytes are released once the lock is let go. */
    private void drop(Entry entry, List<Entry> dropped) {
        awaitingSpill.remove(entry);
        dropped.add(entry);
    }

    /**
     * Moves a cached view's bytes into a spill file, unless it left the cache first; when the file cannot be
     * written, the view leaves the cache (better not cached than over the memory bound).
     */
    private void spillInPlace(ViewKey key, Entry entry) {
        synchronized (this) {
            if (!awaitingSpill.contains(entry)) {
                return;
            }
        }
        MessageBytes file = spill(entry.view());
        List<Entry> dropped = new ArrayList<>(1);
        synchronized (this) {
            if (!awaitingSpill.remove(entry)) {
                // Dropped while it was written: the file goes too.
                if (file != null) {
                    dropped.add(new Entry(entry.view().withBytes(file), entry.stored()));
                }
            } else if (file == null) {
                entries.remove(key);
                bytes -= entry.size();
            } else {
                entries.replace(key, entry, new Entry(entry.view().withBytes(file), entry.stored()));
            }
        }
        release(dropped);
    }

    /** Copies the view's bytes into a spill file; null when that fails (logged). */
    private MessageBytes spill(InspectedView view) {
        Path file = null;
        try {
            file = Files.createTempFile(spillDirectory(), "view-", ".eml");
            try (InputStream in = view.bytes().open()) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return MessageBytes.spilled(file);
        } catch (IOException | RuntimeException e) {
            if (isClosed()) {
                LOGGER.debug("A {}-byte view was not spilled: the cache closed meanwhile", view.size(), e);
            } else {
                LOGGER.warn("Could not spill a {}-byte view to {}: not cached", view.size(), spillDir, e);
            }
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // already logged the cause
                }
            }
            return null;
        }
    }

    private synchronized Path spillDirectory() throws IOException {
        if (ownDir == null) {
            Files.createDirectories(spillDir);
            ownDir = Files.createTempDirectory(spillDir, "verdict-cache-");
        }
        return ownDir;
    }
}
