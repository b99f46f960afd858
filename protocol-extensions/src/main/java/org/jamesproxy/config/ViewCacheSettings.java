package org.jamesproxy.config;

import java.nio.file.Path;
import java.util.Objects;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;

/**
 * {@code <inspection><viewCache>} of an {@code <imapproxy>}: the bounds of the cache of inspected messages the
 * policy's sessions answer FETCH items from ({@code partialFetch inspect}). Entries beyond either bound are evicted
 * least recently used first; a message above {@code spillAbove} is kept in a file of {@code spillDirectory}.
 */
public final class ViewCacheSettings {
    public static final long DEFAULT_MAX_IN_FLIGHT = 128L * 1024 * 1024;
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
        return new ViewCacheSettings(
            policy.integer(prefix + "maxEntries", 10_000, 1, 10_000_000),
            maxBytes,
            spillAbove,
            policy.optionalString(prefix + "spillDirectory").map(Path::of).orElseGet(ViewCacheSettings::defaultSpillDirectory),
            policy.size(prefix + "maxInFlight", "128M"));
    }

    private final int maxEntries;
    private final long maxBytes;
    private final long spillAbove;
    private final Path spillDirectory;
    private final long maxInFlight;

    public ViewCacheSettings(int maxEntries, long maxBytes, long spillAbove, Path spillDirectory) {
        this(maxEntries, maxBytes, spillAbove, spillDirectory, DEFAULT_MAX_IN_FLIGHT);
    }

    public ViewCacheSettings(int maxEntries, long maxBytes, long spillAbove, Path spillDirectory, long maxInFlight) {
        this.maxInFlight = maxInFlight;
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

    @Override
    public final boolean equals(Object o) {
        if (o instanceof ViewCacheSettings) {
            ViewCacheSettings that = (ViewCacheSettings) o;
            return maxEntries == that.maxEntries && maxBytes == that.maxBytes && spillAbove == that.spillAbove
                && Objects.equals(spillDirectory, that.spillDirectory) && maxInFlight == that.maxInFlight;
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(maxEntries, maxBytes, spillAbove, spillDirectory, maxInFlight);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("maxEntries", maxEntries)
            .add("maxBytes", maxBytes)
            .add("spillAbove", spillAbove)
            .add("spillDirectory", spillDirectory)
            .add("maxInFlight", maxInFlight)
            .toString();
    }
}
