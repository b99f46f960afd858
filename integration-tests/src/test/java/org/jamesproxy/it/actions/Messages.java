package org.jamesproxy.it.actions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Wire-format test messages for the action tests (mailet-plugin's MimeSamples is not in its test-jar, which carries
 * only the engine support).
 */
final class Messages {
    static final String CRLF = "\r\n";

    private Messages() {
    }

    /** What magic-number detection takes for a Windows PE executable: "MZ", and "PE\0\0" where e_lfanew points. */
    static byte[] exe() {
        byte[] exe = new byte[512];
        exe[0] = 'M';
        exe[1] = 'Z';
        exe[0x3c] = (byte) 0x80;
        exe[0x80] = 'P';
        exe[0x81] = 'E';
        return exe;
    }

    static byte[] pdf() {
        return "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static String base64(byte[] content) {
        return Base64.getMimeEncoder().encodeToString(content);
    }

    /** A base64 part with the given header lines. */
    static String attachment(byte[] content, String... headers) {
        List<String> lines = new ArrayList<>(List.of(headers));
        lines.add("Content-Transfer-Encoding: base64");
        lines.add("");
        lines.add(base64(content));
        return String.join(CRLF, lines);
    }

    static String textPart(String text) {
        return "Content-Type: text/plain; charset=us-ascii" + CRLF + CRLF + text;
    }

    static String multipartBody(String boundary, String... parts) {
        StringBuilder body = new StringBuilder();
        for (String part : parts) {
            body.append("--").append(boundary).append(CRLF).append(part).append(CRLF);
        }
        return body.append("--").append(boundary).append("--").append(CRLF).toString();
    }

    static byte[] multipartMessage(String boundary, String... parts) {
        return message("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"", multipartBody(boundary, parts));
    }

    static byte[] message(String contentHeaders, String body) {
        return String.join(CRLF, "From: alice@example.com", "To: bob@example.com", "Subject: test",
            "Message-ID: <mime-test@example.com>", "MIME-Version: 1.0", contentHeaders, "", body)
            .getBytes(StandardCharsets.UTF_8);
    }
}
