package org.jamesproxy.mime;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeType;
import org.apache.tika.mime.MimeTypeException;
import org.apache.tika.mime.MimeTypes;

import com.google.common.collect.ImmutableList;

/**
 * Finds the real type of content from its bytes, with the magic numbers of Apache Tika's {@code tika-mimetypes.xml}
 * (the filename and the declared type are deliberately not consulted: they are what an attacker controls).
 * <p>
 * Only the types that matter are asked about: a detector is built for a predicate saying which type names a rule would
 * act on, and it evaluates the magic of those types and of their sub-types (an {@code application/x-msdownload;
 * format=pe32} is an {@code application/x-msdownload}). A type is reported when its magic matches, whatever else the
 * content might also match: for a filter, "could be an executable" is what counts, and evaluating a handful of magic
 * clauses costs microseconds where a full Tika detection (all ~1,500 types) costs about a millisecond per part.
 * <p>
 * Reported: each matching type and its Tika super-types, without parameters, lower-cased, most specific first;
 * {@code application/octet-stream} never. Thread-safe.
 */
public final class ContentTypeDetector {
    private static final MediaType UNKNOWN = MediaType.OCTET_STREAM;
    private static final MimeTypes TYPES = MimeTypes.getDefaultMimeTypes(ContentTypeDetector.class.getClassLoader());

    /** A detector for the types (or super-types) that {@code relevant} accepts, by base type name. */
    public static ContentTypeDetector forTypes(Predicate<String> relevant) {
        MediaTypeRegistry registry = TYPES.getMediaTypeRegistry();
        ImmutableList.Builder<MimeType> candidates = ImmutableList.builder();
        for (MediaType type : registry.getTypes()) {
            if (chain(registry, type).stream().anyMatch(relevant)) {
                try {
                    MimeType mimeType = TYPES.forName(type.toString());
                    if (mimeType.hasMagic()) {
                        candidates.add(mimeType);
                    }
                } catch (MimeTypeException e) {
                    throw new IllegalStateException("Tika's own type " + type + " is invalid", e);
                }
            }
        }
        return new ContentTypeDetector(registry, candidates.build());
    }

    private static List<String> chain(MediaTypeRegistry registry, MediaType type) {
        Set<String> result = new LinkedHashSet<>();
        for (MediaType current = registry.normalize(type); current != null && !current.getBaseType().equals(UNKNOWN);
             current = registry.getSupertype(current)) {
            result.add(current.getBaseType().toString());
        }
        return ImmutableList.copyOf(result);
    }

    private final MediaTypeRegistry registry;
    private final ImmutableList<MimeType> candidates;

    private ContentTypeDetector(MediaTypeRegistry registry, ImmutableList<MimeType> candidates) {
        this.registry = registry;
        this.candidates = candidates;
    }

    /** How many leading bytes of the content detection needs at most. */
    public static int headLength() {
        return TYPES.getMinLength();
    }

    /** How many types this detector asks about (for logs). */
    public int size() {
        return candidates.size();
    }

    /** @param head the first {@link #headLength()} bytes of the content (or all of it when shorter) */
    public List<String> detect(byte[] head) {
        if (candidates.isEmpty()) {
            return List.of();
        }
        Set<String> result = new LinkedHashSet<>();
        for (MimeType candidate : candidates) {
            if (candidate.matchesMagic(head)) {
                result.addAll(chain(registry, candidate.getType()));
            }
        }
        return ImmutableList.copyOf(result);
    }
}
