package org.jamesproxy.mime;

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

import javax.mail.MessagingException;

import org.apache.mailet.base.test.FakeMail;
import org.jamesproxy.MessageFixtures;

/** Raw test messages built line by line, so that every header and delimiter is exactly what the test says. */
public final class MimeSamples {
    public static final String CRLF = "\r\n";

    private MimeSamples() {
    }

    /** A Windows PE executable as far as magic numbers go: "MZ", and "PE\0\0" at offset 128. */
    public static byte[] exe() {
        byte[] exe = new byte[512];
        exe[0] = 'M';
        exe[1] = 'Z';
        exe[0x3c] = (byte) 0x80;
        exe[128] = 'P';
        exe[129] = 'E';
        return exe;
    }

    public static byte[] pdf() {
        return "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);
    }

    /** A ZIP with the given entries (name → content), in insertion order. */
    public static byte[] zip(Map<String, byte[]> entries) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                    zip.putNextEntry(new ZipEntry(entry.getKey()));
                    zip.write(entry.getValue());
                    zip.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Base64 in 76-character lines. */
    public static String base64(byte[] content) {
        return Base64.getMimeEncoder().encodeToString(content);
    }

    /** An attachment part: the given header lines, base64 transfer encoding, the content. */
    public static String attachment(byte[] content, String... headers) {
        List<String> lines = new ArrayList<>(List.of(headers));
        lines.add("Content-Transfer-Encoding: base64");
        lines.add("");
        lines.add(base64(content));
        return String.join(CRLF, lines);
    }

    public static String textPart(String text) {
        return String.join(CRLF, "Content-Type: text/plain; charset=us-ascii", "", text);
    }

    /** A multipart body (delimiters, parts, close delimiter) under the given boundary. */
    public static String multipartBody(String boundary, String... parts) {
        StringBuilder body = new StringBuilder();
        for (String part : parts) {
            body.append("--").append(boundary).append(CRLF).append(part).append(CRLF);
        }
        return body.append("--").append(boundary).append("--").append(CRLF).toString();
    }

    /** A top-level multipart/mixed message with the given parts. */
    public static byte[] multipartMessage(String boundary, String... parts) {
        return message("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"", multipartBody(boundary, parts));
    }

    /** A message with the given content header lines (separated by CRLF) and body. */
    public static byte[] message(String contentHeaders, String body) {
        String text = String.join(CRLF,
            "From: alice@example.com",
            "To: bob@example.com",
            "Subject: test",
            "Message-ID: <mime-test@example.com>",
            "MIME-Version: 1.0",
            contentHeaders,
            "",
            body);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static FakeMail mail(byte[] message) throws MessagingException {
        return FakeMail.builder()
            .name("mail-1")
            .sender("alice@example.com")
            .recipient("bob@example.com")
            .mimeMessage(MessageFixtures.parse(message))
            .build();
    }
}
