package org.jamesproxy.mailet;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.jamesproxy.mime.MimeItem;

/**
 * Groups decoded parts into as few clamd streams as the scan limit allows, written as tar archives: clamd
 * ({@code ScanArchive yes}) unpacks a tar and scans each entry as a file, and an entry holding an RFC 822 message is
 * read as mail ({@code ScanMail yes}). So the raw message and every part as this proxy decoded it cost one round trip.
 */
final class ScanBatches {
    /** A tar header plus the padding of the last block, counted per entry. */
    private static final long ENTRY_OVERHEAD = 1024;
    /** The end-of-archive blocks and record padding. */
    private static final long ARCHIVE_OVERHEAD = 10240;

    private ScanBatches() {
    }

    /**
     * Consecutive groups of items, each group within {@code maxBytes} (an item over it is a group of its own); the
     * first group also carries {@code firstReserved} bytes (the raw message). The first group may be empty.
     */
    static List<List<MimeItem>> split(List<MimeItem> items, long firstReserved, long maxBytes) {
        List<List<MimeItem>> batches = new ArrayList<>();
        List<MimeItem> current = new ArrayList<>();
        long size = ARCHIVE_OVERHEAD + ENTRY_OVERHEAD + firstReserved;
        for (MimeItem item : items) {
            long length = item.getContent().map(content -> (long) content.length).orElse(0L) + ENTRY_OVERHEAD;
            if ((!current.isEmpty() || batches.isEmpty()) && size + length > maxBytes) {
                batches.add(current);
                current = new ArrayList<>();
                size = ARCHIVE_OVERHEAD;
            }
            current.add(item);
            size += length;
        }
        if (!current.isEmpty() || batches.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    /** A tar of the message (when given) as {@code message.eml}, then the items as {@code part-<path>}. */
    static void writeTar(OutputStream out, Optional<byte[]> message, List<MimeItem> items) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_TRUNCATE);
        if (message.isPresent()) {
            entry(tar, "message.eml", message.get());
        }
        int index = 0;
        for (MimeItem item : items) {
            entry(tar, "part-" + (index++) + "-" + item.getPart().toString().replaceAll("[^0-9.]", "_"), item.getContent().orElse(new byte[0]));
        }
        tar.finish();
        tar.flush();
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    /** The clamd chunk stream is closed by the client, not by the tar writer. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        private NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            out.write(buffer, offset, length);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
