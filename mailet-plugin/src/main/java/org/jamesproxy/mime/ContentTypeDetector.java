package org.jamesproxy.mime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeTypes;

import com.google.common.collect.ImmutableList;

/**
 * The real type of content, from its bytes only (magic numbers of Apache Tika's {@code tika-mimetypes.xml}; the
 * filename and the declared type are deliberately not consulted, they are what an attacker controls).
 * <p>
 * The answer is the detected type plus its Tika super-types (an {@code application/x-msdownload; format=pe32} is
 * also an {@code application/x-msdownload}; an OOXML document is also {@code application/zip}), without parameters,
 * lower-cased. {@code application/octet-stream} ("unknown") is never reported. Thread-safe.
 */
public final class ContentTypeDetector {
    private static final MediaType UNKNOWN = MediaType.OCTET_STREAM;
    private static final ContentTypeDetector INSTANCE = new ContentTypeDetector(
        MimeTypes.getDefaultMimeTypes(ContentTypeDetector.class.getClassLoader()));

    public static ContentTypeDetector instance() {
        return INSTANCE;
    }

    private final MimeTypes types;
    private final MediaTypeRegistry registry;

    private ContentTypeDetector(MimeTypes types) {
        this.types = types;
        this.registry = types.getMediaTypeRegistry();
    }

    /** How many leading bytes of the content detection needs at most. */
    public int headLength() {
        return types.getMinLength();
    }

    /** @param head the first {@link #headLength()} bytes of the content (or all of it when shorter) */
    public List<String> detect(byte[] head, int length) {
        MediaType detected;
        try {
            detected = types.detect(new ByteArrayInputStream(head, 0, length), new Metadata());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> result = new LinkedHashSet<>();
        for (MediaType type = registry.normalize(detected); type != null && !type.getBaseType().equals(UNKNOWN);
             type = registry.getSupertype(type)) {
            result.add(type.getBaseType().toString());
        }
        return ImmutableList.copyOf(result);
    }
}
