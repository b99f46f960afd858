package org.jamesproxy.mime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * Archive signatures, and the ZIP check that streaming readers (local headers, front to back: javax.mail clients'
 * "open attachment" in some tools, {@code ZipInputStream}, many scanners) and central-directory readers (Windows
 * Explorer, 7-Zip, unzip) see the same entries. The archives themselves are read by {@link MimeScanner} with
 * commons-compress (shipped with James).
 */
final class Archives {
    /** Enough bytes to tell ZIP, gzip and tar ({@code ustar} at offset 257) apart. */
    static final int SIGNATURE_LENGTH = 262;

    /** What a local header (with the sizes actually read) says of one entry. */
    static final class Entry {
        final String name;
        final long size;
        final long compressedSize;

        Entry(String name, long size, long compressedSize) {
            this.name = name;
            this.size = size;
            this.compressedSize = compressedSize;
        }
    }

    private Archives() {
    }

    static boolean isArchive(byte[] head) {
        return isZip(head) || isGzip(head) || isTar(head);
    }

    static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    static boolean isGzip(byte[] head) {
        return head.length >= 3 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b && head[2] == 8;
    }

    static boolean isTar(byte[] head) {
        return head.length >= SIGNATURE_LENGTH && head[257] == 'u' && head[258] == 's' && head[259] == 't' && head[260] == 'a'
            && head[261] == 'r';
    }

    /**
     * The central directory, in the order of the local headers it points to, against the local headers read front to
     * back: same number of entries, same names, same sizes.
     *
     * @return what differs, or empty
     */
    static Optional<String> compareCentralDirectory(byte[] zip, List<Entry> local) throws IOException {
        List<ZipArchiveEntry> central = new ArrayList<>();
        // Names as ZipInputStream reads them: ISO-8859-1 unless flagged UTF-8, no Unicode extra field.
        try (ZipFile file = new ZipFile(new SeekableInMemoryByteChannel(zip), "message part", "ISO-8859-1", false, true)) {
            Enumeration<ZipArchiveEntry> entries = file.getEntriesInPhysicalOrder();
            while (entries.hasMoreElements()) {
                central.add(entries.nextElement());
            }
        }
        if (central.size() != local.size()) {
            return Optional.of(central.size() + " entries in the central directory, " + local.size() + " local headers");
        }
        for (int i = 0; i < central.size(); i++) {
            ZipArchiveEntry listed = central.get(i);
            Entry read = local.get(i);
            if (!listed.getName().equals(read.name)) {
                return Optional.of("entry " + (i + 1) + " is '" + listed.getName() + "' in the central directory, '" + read.name
                    + "' in its local header");
            }
            if (listed.getSize() != read.size) {
                return Optional.of("entry '" + read.name + "' is " + listed.getSize() + " bytes in the central directory, "
                    + read.size + " bytes when read");
            }
            if (read.compressedSize >= 0 && listed.getCompressedSize() != read.compressedSize) {
                return Optional.of("entry '" + read.name + "' is " + listed.getCompressedSize()
                    + " compressed bytes in the central directory, " + read.compressedSize + " in its local header");
            }
        }
        return Optional.empty();
    }
}
