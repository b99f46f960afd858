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
 * {@code maxBytes} is not kept. Thread-safe.
 *
 * <p>Large views (above {@code spillAboveBytes}) stay in memory while they hold at most {@code largeViewMemory}
 * together; beyond that the least recently used are written to files of a directory of their own in
 * {@code spillDir} (0: every large view goes to a file). A view fetched once and dropped at logout never touches the
 * disk, and 200 clients downloading large messages hold that much heap, not 200 messages. The {@code spiller} writes
 * the files, so the session that put a view does not wait for the disk; {@code put}'s stage completes once the files
 * its view made necessary are written (the caller keeps the view's memory accounted until then). Until a view's file
 * is written, {@code get} hands out the view in memory.
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
    private final long largeViewMemory;
    private final Path spillDir;
    private final Duration maxAge;
    private final Clock clock;
    private final Executor spiller;
    private final LinkedHashMap<ViewKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    /** Cached large views in memory chosen for a spill file not written yet; an entry dropped meanwhile is taken out. */
    private final Set<Entry> awaitingSpill = Collections.newSetFromMap(new IdentityHashMap<>());
    private long bytes;
    /** Bytes of the cached large views still in memory, those awaiting their file included. */
    private long largeInMemory;
    private long awaitingSpillBytes;
    private boolean closed;
    private Path ownDir;

    /** A cached view; its bytes move from memory to a spill file in place, so the entry keeps its LRU position. */
    private static final class Entry {
        /** Guarded by the cache. */
        private InspectedView view;
        private final Instant stored;

        Entry(InspectedView view, Instant stored) {
            this.view = view;
            this.stored = stored;
        }

        long size() {
            return view.size();
        }
    }

    /**
     * @param maxEntries at most this many views
     * @param maxBytes at most this many bytes of views (memory and spill files)
     * @param spillAboveBytes views larger than this are large: kept in a spill file beyond {@code largeViewMemory}
     * @param largeViewMemory the memory large views may hold together before the least recently used go to files
     * @param spillDir where spill files go (a per-cache directory is made in it, removed on close)
     * @param maxAge entries older than this are dropped on access; null: no age limit
     * @param clock what ages are measured with
     * @param spiller where spill files are written (never an event loop)
     */
    public InMemoryVerdictCache(int maxEntries, long maxBytes, long spillAboveBytes, long largeViewMemory, Path spillDir,
                                Duration maxAge, Clock clock, Executor spiller) {
        if (maxEntries < 0 || maxBytes < 0 || spillAboveBytes < 0 || largeViewMemory < 0) {
            throw new IllegalArgumentException("cache bounds must not be negative");
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.spillAboveBytes = spillAboveBytes;
        this.largeViewMemory = largeViewMemory;
        this.spillDir = Objects.requireNonNull(spillDir, "spillDir");
        this.maxAge = maxAge;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.spiller = Objects.requireNonNull(spiller, "spiller");
    }

    public InMemoryVerdictCache(int maxEntries, long maxBytes, long spillAboveBytes, long largeViewMemory, Path spillDir,
                                Executor spiller) {
        this(maxEntries, maxBytes, spillAboveBytes, largeViewMemory, spillDir, null, Clock.systemUTC(), spiller);
    }

    /** Every large view spilled at once, by the thread that puts it. */
    public InMemoryVerdictCache(int maxEntries, long maxBytes, long spillAboveBytes, Path spillDir, Duration maxAge, Clock clock) {
        this(maxEntries, maxBytes, spillAboveBytes, 0, spillDir, maxAge, clock, Runnable::run);
    }

    /** Every large view spilled at once, by the thread that puts it. */
    public InMemoryVerdictCache(int maxEntries, long maxBytes, long spillAboveBytes, Path spillDir) {
        this(maxEntries, maxBytes, spillAboveBytes, spillDir, null, Clock.systemUTC());
    }

    @Override
    public Optional<InspectedView> get(ViewKey key) {
        List<InspectedView> dropped = new ArrayList<>(1);
        synchronized (this) {
            Entry entry = entries.get(key);
            if (entry == null) {
                return Optional.empty();
            }
            if (!expired(entry)) {
                return Optional.of(entry.view);
            }
            entries.remove(key);
            drop(entry, dropped);
        }
        release(dropped);
        return Optional.empty();
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
        List<InspectedView> dropped = new ArrayList<>();
        List<Entry> spills = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                dropped.add(view);
            } else {
                Entry previous = entries.put(key, entry);
                if (previous != null) {
                    drop(previous, dropped);
                    if (previous.view == view) {
                        dropped.remove(view); // the same view again: kept, under the new entry
                    }
                }
                bytes += entry.size();
                if (isLargeInMemory(entry)) {
                    largeInMemory += entry.size();
                }
                Iterator<Entry> eldest = entries.values().iterator();
                while ((entries.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
                    Entry evicted = eldest.next();
                    eldest.remove();
                    drop(evicted, dropped);
                }
                chooseSpills(spills);
            }
        }
        release(dropped);
        if (spills.isEmpty()) {
            return STORED;
        }
        CompletableFuture<?>[] written = new CompletableFuture<?>[spills.size()];
        for (int i = 0; i < written.length; i++) {
            written[i] = submit(spills.get(i));
        }
        return CompletableFuture.allOf(written);
    }

    /** Under the lock: the least recently used large views in memory that must go to files to fit the budget. */
    private void chooseSpills(List<Entry> spills) {
        Iterator<Entry> eldest = entries.values().iterator();
        while (largeInMemory - awaitingSpillBytes > largeViewMemory && eldest.hasNext()) {
            Entry entry = eldest.next();
            if (isLargeInMemory(entry) && awaitingSpill.add(entry)) {
                awaitingSpillBytes += entry.size();
                spills.add(entry);
            }
        }
    }

    private CompletableFuture<Void> submit(Entry entry) {
        CompletableFuture<Void> spilled = new CompletableFuture<>();
        Runnable write = () -> {
            try {
                spillInPlace(entry);
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

    private boolean isLargeInMemory(Entry entry) {
        return entry.size() > spillAboveBytes && !entry.view.bytes().isSpilled();
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
        List<InspectedView> dropped;
        Path dir;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            dropped = entries.values().stream().map(entry -> entry.view).toList();
            entries.clear();
            awaitingSpill.clear();
            bytes = 0;
            largeInMemory = 0;
            awaitingSpillBytes = 0;
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
        return maxAge != null && entry.stored.plus(maxAge).isBefore(clock.instant());
    }

    private void removeIf(Predicate<ViewKey> matching) {
        List<InspectedView> dropped = new ArrayList<>();
        synchronized (this) {
            Iterator<Map.Entry<ViewKey, Entry>> all = entries.entrySet().iterator();
            while (all.hasNext()) {
                Map.Entry<ViewKey, Entry> entry = all.next();
                if (matching.test(entry.getKey())) {
                    all.remove();
                    drop(entry.getValue(), dropped);
                }
            }
        }
        release(dropped);
    }

    private static void release(List<InspectedView> dropped) {
        for (InspectedView view : dropped) {
            try {
                view.bytes().release();
            } catch (UncheckedIOException e) {
                LOGGER.warn("Could not release an evicted view", e);
            }
        }
    }

    /** Under the lock, for an entry that left the map: its accounting; its bytes are released once the lock is let go. */
    private void drop(Entry entry, List<InspectedView> dropped) {
        bytes -= entry.size();
        if (isLargeInMemory(entry)) {
            largeInMemory -= entry.size();
        }
        if (awaitingSpill.remove(entry)) {
            awaitingSpillBytes -= entry.size();
        }
        dropped.add(entry.view);
    }

    /**
     * Moves a cached view's bytes into a spill file, unless it left the cache first; when the file cannot be
     * written, the view leaves the cache (better not cached than over the memory bound).
     */
    private void spillInPlace(Entry entry) {
        InspectedView inMemory;
        synchronized (this) {
            if (!awaitingSpill.contains(entry)) {
                return;
            }
            inMemory = entry.view;
        }
        MessageBytes file = spill(inMemory);
        List<InspectedView> dropped = new ArrayList<>(1);
        synchronized (this) {
            if (!awaitingSpill.remove(entry)) {
                // Dropped while it was written: the file goes too.
                if (file != null) {
                    dropped.add(inMemory.withBytes(file));
                }
            } else {
                awaitingSpillBytes -= entry.size();
                largeInMemory -= entry.size();
                if (file == null) {
                    entries.values().remove(entry);
                    bytes -= entry.size();
                } else {
                    entry.view = inMemory.withBytes(file);
                }
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
