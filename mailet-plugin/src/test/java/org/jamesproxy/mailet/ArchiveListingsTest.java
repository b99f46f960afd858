package org.jamesproxy.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.mime.MimeSamples.attachment;
import static org.jamesproxy.mime.MimeSamples.mail;
import static org.jamesproxy.mime.MimeSamples.multipartMessage;
import static org.jamesproxy.mime.MimeSamples.textPart;
import static org.jamesproxy.mime.MimeSamples.zip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.RuleAction;
import org.jamesproxy.mime.MimeSamples;
import org.junit.jupiter.api.Test;

/** ZIP central directory against local headers; names inside tar, tar.gz and gz feed the rules. */
class ArchiveListingsTest {
    private static List<Finding> findings(byte[] archive, String filename) throws Exception {
        byte[] message = multipartMessage("b", textPart("hi"),
            attachment(archive, "Content-Type: application/octet-stream; name=\"" + filename + "\""));
        return FilenameRulesTest.mailet("*.exe = deny; * = allow").findings(mail(message));
    }

    private static byte[] zipOf(String name) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(name, "content".getBytes(StandardCharsets.US_ASCII));
        return zip(entries);
    }

    /** The same length name written over the central directory's copy only (the last occurrence). */
    private static byte[] withCentralName(byte[] zip, String local, String central) {
        String text = new String(zip, StandardCharsets.ISO_8859_1);
        int at = text.lastIndexOf(local);
        byte[] patched = zip.clone();
        System.arraycopy(central.getBytes(StandardCharsets.ISO_8859_1), 0, patched, at, central.length());
        return patched;
    }

    @Test
    void consistentZipIsScannedAsBefore() throws Exception {
        assertThat(findings(zipOf("readme.txt"), "a.zip")).isEmpty();
        assertThat(findings(zipOf("setup.exe"), "a.zip")).extracting(Finding::getCategory).containsExactly(Finding.Category.FILENAME);
    }

    @Test
    void zipWhoseCentralDirectoryNamesAnotherFileIsUnscannable() throws Exception {
        // Explorer and 7-Zip list readme.exe, a streaming reader sees readme.txt.
        List<Finding> findings = findings(withCentralName(zipOf("readme.txt"), "readme.txt", "readme.exe"), "a.zip");

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.getCategory()).isEqualTo(Finding.Category.UNSCANNABLE);
            assertThat(finding.getAction()).isEqualTo(RuleAction.DENY);
            assertThat(finding.getReason()).contains("central directory").contains("readme.exe").contains("readme.txt");
        });
    }

    @Test
    void zipWhoseCentralDirectoryLiesAboutASizeIsUnscannable() throws Exception {
        byte[] zip = zipOf("readme.txt");
        // The central directory header: "PK\1\2"; its uncompressed size is at offset 24.
        int central = new String(zip, StandardCharsets.ISO_8859_1).indexOf("PK\u0001\u0002");
        zip[central + 24] = (byte) (zip[central + 24] + 1);

        assertThat(findings(zip, "a.zip")).singleElement().satisfies(finding ->
            assertThat(finding.getReason()).contains("central directory").contains("bytes"));
    }

    @Test
    void zipWithALocalEntryTheCentralDirectoryHidesIsUnscannable() throws Exception {
        byte[] visible = zipOf("readme.txt");
        byte[] hidden = zipOf("setup.exe");
        // A local entry without a directory record in front of a normal archive: unzip and Explorer list readme.txt
        // only, a streaming reader finds setup.exe first.
        int prefix = new String(hidden, StandardCharsets.ISO_8859_1).indexOf("PK\u0001\u0002");
        ByteArrayOutputStream combined = new ByteArrayOutputStream();
        combined.write(hidden, 0, prefix);
        combined.write(visible, 0, visible.length);
        byte[] zip = combined.toByteArray();
        // The visible archive's offsets, moved by the prefix: its directory stays valid.
        String text = new String(zip, StandardCharsets.ISO_8859_1);
        addLittleEndian(zip, text.indexOf("PK\u0001\u0002") + 42, prefix);
        addLittleEndian(zip, text.indexOf("PK\u0005\u0006") + 16, prefix);

        List<Finding> findings = findings(zip, "a.zip");

        assertThat(findings).filteredOn(finding -> finding.getCategory() == Finding.Category.UNSCANNABLE).singleElement()
            .satisfies(finding -> assertThat(finding.getReason()).contains("1 entries in the central directory, 2 local headers"));
    }

    private static void addLittleEndian(byte[] data, int at, int delta) {
        long value = (data[at] & 0xffL) | (data[at + 1] & 0xffL) << 8 | (data[at + 2] & 0xffL) << 16 | (data[at + 3] & 0xffL) << 24;
        value += delta;
        for (int i = 0; i < 4; i++) {
            data[at + i] = (byte) (value >> (8 * i));
        }
    }

    private static byte[] tar(String... names) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (String name : names) {
                byte[] content = ("content of " + name).getBytes(StandardCharsets.US_ASCII);
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setSize(content.length);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] content, String name) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GzipParameters parameters = new GzipParameters();
        if (name != null) {
            parameters.setFilename(name);
        }
        try (GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(bytes, parameters)) {
            gzip.write(content);
        }
        return bytes.toByteArray();
    }

    @Test
    void namesInsideATarAreMatched() throws Exception {
        assertThat(findings(tar("docs/readme.txt"), "a.tar")).isEmpty();
        assertThat(findings(tar("docs/readme.txt", "tools/setup.exe"), "a.tar")).singleElement()
            .satisfies(finding -> assertThat(finding.getReason()).contains("tools/setup.exe"));
    }

    @Test
    void namesInsideATarGzAreMatched() throws Exception {
        assertThat(findings(gzip(tar("docs/readme.txt"), null), "a.tgz")).isEmpty();
        assertThat(findings(gzip(tar("tools/setup.exe"), null), "a.tgz")).singleElement()
            .satisfies(finding -> assertThat(finding.getReason()).contains("setup.exe"));
    }

    @Test
    void theNameInAGzipHeaderIsMatched() throws Exception {
        assertThat(findings(gzip("plain".getBytes(StandardCharsets.US_ASCII), "notes.txt"), "notes.gz")).isEmpty();
        assertThat(findings(gzip(MimeSamples.exe(), "setup.exe"), "setup.gz")).singleElement()
            .satisfies(finding -> assertThat(finding.getReason()).contains("setup.exe"));
    }
}
