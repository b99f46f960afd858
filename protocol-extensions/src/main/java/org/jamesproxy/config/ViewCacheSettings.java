package org.jamesproxy.config;

import java.nio.file.Path;
import java.util.Objects;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;

/**
 * {@code <inspection><viewCache>} of an {@code <imapproxy>}: the bounds of the cache of inspected messages the
 * policy's sessions answer FETCH items from ({@code partialFetch inspect}). Entries beyond either bound are evicted
 * least recently used first; messages above {@code spillAbove} are kept in files of {@code spillDirectory} once
 * they hold more than {@code largeViewMemory} of memory together.
 */
public final class ViewCacheSettings {
    public static final long DEFAULT_MAX_IN_FLIGHT = 128L * 1024 * 1024;
    public static final long DEFAULT_LARGE_VIEW_MEMORY = 64L * 1024 * 1024;
    public static final int DEFAULT_READ_AHEAD = 8;
    /** More would hold more of the in-flight budget for one client than its next messages need. */
    public static final int MAX_READ_AHEAD = 32;
    public static final ViewCacheSettings DEFAULT = new ViewCacheSettings(10_000, 256L * 1024 * 1024, 1024 * 1024,
        defaultSpillDirectory());

    private static Path defaultSpillDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "jamesproxy-views");
    }

    static ViewCacheSettings parse(ConfigValues policy) throws ConfigurationException {
        String prefix = "inspection.viewCache.";
        long maxBytes = policy.size(prefix + "maxBytes", "256M");
        long spillAbove = policy.size(prefix + "spillAbove", "1M");
        if (spillAbove > maxBytes) {
            throw policy.invalid(prefix + "spillAbove", String.valueOf(spillAbove),
                "a size not above inspection.viewCache.maxBytes (" + maxBytes + ")");
        }
        // 0 sends every large view to a file at once; the default never exceeds a smaller maxBytes.
        boolean none = policy.optionalString(prefix + "largeViewMemory").filter(value -> value.trim().equals("0")).isPresent();
        long largeViewMemory = none ? 0 : policy.size(prefix + "largeViewMemory",
            String.valueOf(Math.min(DEFAULT_LARGE_VIEW_MEMORY, maxBytes)));
        if (largeViewMemory > maxBytes) {
            throw policy.invalid(prefix + "largeViewMemory", String.valueOf(largeViewMemory),
                "a size not above inspection.viewCache.maxBytes (" + maxBytes + ")");
        }
        return new ViewCacheSettings(
            policy.integer(prefix + "maxEntries", 10_000, 1, 10_000_000),
            maxBytes,
            spillAbove,
            policy.optionalString(prefix + "spillDirectory").map(Path::of).orElseGet(ViewCacheSettings::defaultSpillDirectory),
            policy.size(prefix + "maxInFlight", "128M"),
            policy.integer(prefix + "readAhead", DEFAULT_READ_AHEAD, 0, MAX_READ_AHEAD),
            largeViewMemory);
    }

    private final int maxEntries;
    private final long maxBytes;
    private final long spillAbove;
    private final Path spillDirectory;
    private final long maxInFlight;
    private final int readAhead;
    private final long largeViewMemory;

    public ViewCacheSettings(int maxEntries, long maxBytes, long spillAbove, Path spillDirectory) {
        this(maxEntries, maxBytes, spillAbove, spillDirectory, DEFAULT_MAX_IN_FLIGHT, DEFAULT_READ_AHEAD,
            Math.min(DEFAULT_LARGE_VIEW_MEMORY, maxBytes));
    }

    public ViewCacheSettings(int maxEntries, long maxBytes, long spillAbove, Path spillDirectory, long maxInFlight,
                             int readAhead, long largeViewMemory) {
        this.maxInFlight = maxInFlight;
        this.largeViewMemory = largeViewMemory;
        this.readAhead = readAhead;
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.spillAbove = spillAbove;
        this.spillDirectory = spillDirectory;
    }

    public int getMaxEntries() {
        return maxEntries;
    }

    /** Memory and spill files together. */
    public long getMaxBytes() {
        return maxBytes;
    }

    public long getSpillAbove() {
        return spillAbove;
    }

    /**
     * The memory the cached views above {@link #getSpillAbove} may hold together; beyond it the least recently used
     * are written to files of {@link #getSpillDirectory} (0: every one is). Counted in {@link #getMaxBytes}.
     */
    public long getLargeViewMemory() {
        return largeViewMemory;
    }

    public Path getSpillDirectory() {
        return spillDirectory;
    }

    /**
     * Memory for messages between the upstream and the cache (fetched whole, with the action, parsed), shared by the
     * policy's sessions: a session whose message does not fit waits, with the upstream's bytes left in its socket,
     * so 200 clients downloading large messages at once hold this much, not 200 messages.
     */
    public long getMaxInFlight() {
        return maxInFlight;
    }

    /**
     * How many messages are read ahead for a client that downloads message after message (in chunks, as Thunderbird
     * does): fetched, inspected and cached while it reads the current one, within {@link #getMaxInFlight}; 0: none.
     */
    public int getReadAhead() {
        return readAhead;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof ViewCacheSettings) {
            ViewCacheSettings that = (ViewCacheSettings) o;
            return maxEntries == that.maxEntries && maxBytes == that.maxBytes && spillAbove == that.spillAbove
                && Objects.equals(spillDirectory, that.spillDirectory) && maxInFlight == that.maxInFlight
                && readAhead == that.readAhead && largeViewMemory == that.largeViewMemory;
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(maxEntries, maxBytes, spillAbove, spillDirectory, maxInFlight, readAhead, largeViewMemory);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("maxEntries", maxEntries)
            .add("maxBytes", maxBytes)
            .add("spillAbove", spillAbove)
            .add("largeViewMemory", largeViewMemory)
            .add("spillDirectory", spillDirectory)
            .add("maxInFlight", maxInFlight)
            .add("readAhead", readAhead)
            .toString();
    }
}
