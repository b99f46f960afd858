package org.jamesproxy.mime;

import java.util.Set;

import org.apache.mailet.MailetException;
import org.jamesproxy.mailet.action.MailetParameters;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableSet;

/**
 * Bounds of one message's inspection. Exceeding any of them makes the message unscannable (never a silent pass).
 * <ul>
 *   <li>{@code maxDepth} (20): nesting of multiparts and attached messages;</li>
 *   <li>{@code maxParts} (1000): MIME parts of all levels, containers included;</li>
 *   <li>{@code maxHeaderSize} (64K): header section of one part, in bytes;</li>
 *   <li>{@code maxDecodedSize} (64M): bytes decoded from transfer encodings plus bytes decompressed from archives,
 *       for the whole message (this is what stops zip bombs);</li>
 *   <li>{@code maxArchiveDepth} (3): archives inside archives (an attached ZIP is depth 1);</li>
 *   <li>{@code maxArchiveEntries} (1000): archive entries of all archives of the message.</li>
 * </ul>
 */
public final class MimeLimits {
    public static final String MAX_DEPTH = "maxDepth";
    public static final String MAX_PARTS = "maxParts";
    public static final String MAX_HEADER_SIZE = "maxHeaderSize";
    public static final String MAX_DECODED_SIZE = "maxDecodedSize";
    public static final String MAX_ARCHIVE_DEPTH = "maxArchiveDepth";
    public static final String MAX_ARCHIVE_ENTRIES = "maxArchiveEntries";
    public static final Set<String> PARAMETERS = ImmutableSet.of(MAX_DEPTH, MAX_PARTS, MAX_HEADER_SIZE, MAX_DECODED_SIZE,
        MAX_ARCHIVE_DEPTH, MAX_ARCHIVE_ENTRIES);

    public static final MimeLimits DEFAULT = new MimeLimits(20, 1000, 64 * 1024, 64L << 20, 3, 1000);

    public static MimeLimits fromParameters(MailetParameters parameters) throws MailetException {
        return new MimeLimits(
            parameters.positiveInt(MAX_DEPTH, DEFAULT.maxDepth),
            parameters.positiveInt(MAX_PARTS, DEFAULT.maxParts),
            Math.toIntExact(Math.min(Integer.MAX_VALUE, parameters.size(MAX_HEADER_SIZE, DEFAULT.maxHeaderSize))),
            parameters.size(MAX_DECODED_SIZE, DEFAULT.maxDecodedSize),
            parameters.positiveInt(MAX_ARCHIVE_DEPTH, DEFAULT.maxArchiveDepth),
            parameters.positiveInt(MAX_ARCHIVE_ENTRIES, DEFAULT.maxArchiveEntries));
    }

    private final int maxDepth;
    private final int maxParts;
    private final int maxHeaderSize;
    private final long maxDecodedSize;
    private final int maxArchiveDepth;
    private final int maxArchiveEntries;

    public MimeLimits(int maxDepth, int maxParts, int maxHeaderSize, long maxDecodedSize, int maxArchiveDepth,
                      int maxArchiveEntries) {
        this.maxDepth = maxDepth;
        this.maxParts = maxParts;
        this.maxHeaderSize = maxHeaderSize;
        this.maxDecodedSize = maxDecodedSize;
        this.maxArchiveDepth = maxArchiveDepth;
        this.maxArchiveEntries = maxArchiveEntries;
    }

    public int getMaxDepth() {
        return maxDepth;
    }

    public int getMaxParts() {
        return maxParts;
    }

    public int getMaxHeaderSize() {
        return maxHeaderSize;
    }

    public long getMaxDecodedSize() {
        return maxDecodedSize;
    }

    public int getMaxArchiveDepth() {
        return maxArchiveDepth;
    }

    public int getMaxArchiveEntries() {
        return maxArchiveEntries;
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add(MAX_DEPTH, maxDepth)
            .add(MAX_PARTS, maxParts)
            .add(MAX_HEADER_SIZE, maxHeaderSize)
            .add(MAX_DECODED_SIZE, maxDecodedSize)
            .add(MAX_ARCHIVE_DEPTH, maxArchiveDepth)
            .add(MAX_ARCHIVE_ENTRIES, maxArchiveEntries)
            .toString();
    }
}
