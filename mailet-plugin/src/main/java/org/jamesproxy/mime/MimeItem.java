package org.jamesproxy.mime;

import java.util.List;
import java.util.Optional;

import org.jamesproxy.mailet.action.PartPath;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * One thing to apply rules to: a leaf MIME part, or an entry of an archive found in one. Actions always apply to
 * {@link #getPart()}, the MIME part (stripping an archive entry means stripping the archive's part).
 */
public final class MimeItem {
    private final PartPath part;
    private final ImmutableList<String> archivePath;
    private final ImmutableList<String> filenames;
    private final Optional<String> declaredType;
    private final ImmutableList<String> detectedTypes;
    private final Optional<byte[]> content;
    private final boolean decoded;
    private final Optional<String> embedding;

    MimeItem(PartPath part, List<String> archivePath, List<String> filenames, Optional<String> declaredType,
             List<String> detectedTypes) {
        this(part, archivePath, filenames, declaredType, detectedTypes, Optional.empty(), false, Optional.empty());
    }

    MimeItem(PartPath part, List<String> archivePath, List<String> filenames, Optional<String> declaredType,
             List<String> detectedTypes, Optional<byte[]> content, boolean decoded, Optional<String> embedding) {
        this.content = content;
        this.embedding = embedding;
        this.decoded = decoded;
        this.part = part;
        this.archivePath = ImmutableList.copyOf(archivePath);
        this.filenames = ImmutableList.copyOf(filenames);
        this.declaredType = declaredType;
        this.detectedTypes = ImmutableList.copyOf(detectedTypes);
    }

    public PartPath getPart() {
        return part;
    }

    /** Entry names from the MIME part down to this item; empty for the MIME part itself. */
    public List<String> getArchivePath() {
        return archivePath;
    }

    public boolean isArchiveEntry() {
        return !archivePath.isEmpty();
    }

    /** Candidate names, decoded, with file-system variants; empty when the item has no name. */
    public List<String> getFilenames() {
        return filenames;
    }

    /** The Content-Type's type/subtype, lower-cased, without parameters; empty for archive entries. */
    public Optional<String> getDeclaredType() {
        return declaredType;
    }

    /** Types found from the content (most specific first); empty when detection is off or found nothing. */
    public List<String> getDetectedTypes() {
        return detectedTypes;
    }

    /** The decoded content, when the scanner was asked to keep it ({@code MimeScanner.Options#keepingContent}). */
    public Optional<byte[]> getContent() {
        return content;
    }

    /**
     * The content comes from a reading a standard MIME parser (clamd's included) may not make: a lenient reading of
     * hostile MIME (body after a non-field line, a folded Content-Transfer-Encoding, a part of a multipart-like type),
     * quoted-printable or a pre-MIME encoding, or a file embedded in a text part. Plain base64 and identity parts of a
     * well-formed structure are not: every reader decodes them alike.
     */
    public boolean isReadLeniently() {
        return decoded;
    }

    /**
     * For a file found inside a text part: how it was encoded there ({@code uuencoded}, {@code yEnc-encoded},
     * {@code BinHex-encoded}); empty for a MIME part and its archive entries.
     */
    public Optional<String> getEmbedding() {
        return embedding;
    }

    /** "part 2", "part 2, archive entry a.zip/evil.exe" or "part 1, uuencoded file evil.exe". */
    public String describe() {
        String where = part.isRoot() ? "message body" : "part " + part;
        if (embedding.isPresent()) {
            where += ", " + embedding.get() + " file " + (filenames.isEmpty() ? "(no name)" : filenames.get(0));
        }
        return isArchiveEntry() ? where + ", archive entry " + String.join("/", archivePath) : where;
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("part", part)
            .add("archivePath", archivePath)
            .add("filenames", filenames)
            .add("declaredType", declaredType)
            .add("detectedTypes", detectedTypes)
            .add("embedding", embedding)
            .toString();
    }
}
