package org.jamesproxy.mime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What {@link EmbeddedFiles#find} found in the text parts of the message one proxy action is running on, for the
 * rule mailets after the first: ContentTypeRules and FilenameRules each walk the whole message, and looking for
 * uuencode, yEnc and BinHex blocks was half of each walk. A text is recognised by its bytes (an equal array: a
 * vectorised compare, about a twentieth of a search), so a mailet that changed the message in between gets its own
 * search. Bound to the thread running the action between {@link #open} and {@link #close}; outside (James's own
 * mailet container) nothing is remembered. Keeps at most {@link #MAX_BYTES} of texts alive.
 */
public final class TextPartMemo implements AutoCloseable {
    static final long MAX_BYTES = 32L * 1024 * 1024;
    private static final ThreadLocal<TextPartMemo> CURRENT = new ThreadLocal<>();

    private record Entry(byte[] text, long maxBytes, List<EmbeddedFiles.File> files) {
    }

    private final TextPartMemo enclosing;
    private final List<Entry> entries = new ArrayList<>();
    private long bytes;

    private TextPartMemo(TextPartMemo enclosing) {
        this.enclosing = enclosing;
    }

    /** Starts remembering on this thread until {@link #close}. */
    public static TextPartMemo open() {
        TextPartMemo memo = new TextPartMemo(CURRENT.get());
        CURRENT.set(memo);
        return memo;
    }

    static Optional<TextPartMemo> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    Optional<List<EmbeddedFiles.File>> lookup(byte[] text, long maxBytes) {
        for (Entry entry : entries) {
            if (entry.maxBytes() == maxBytes && Arrays.equals(entry.text(), text)) {
                return Optional.of(entry.files());
            }
        }
        return Optional.empty();
    }

    /** @return {@code files}, unmodifiable */
    List<EmbeddedFiles.File> remember(byte[] text, long maxBytes, List<EmbeddedFiles.File> files) {
        List<EmbeddedFiles.File> kept = List.copyOf(files);
        if (bytes + text.length <= MAX_BYTES) {
            entries.add(new Entry(text, maxBytes, kept));
            bytes += text.length;
        }
        return kept;
    }

    @Override
    public void close() {
        entries.clear();
        if (enclosing == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(enclosing);
        }
    }
}
