package org.jamesproxy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import com.google.common.primitives.Bytes;

/** Wire-format test messages (CRLF) and helpers to look at their header and body sections. */
public final class MessageFixtures {
    public static final String CRLF = "\r\n";

    /**
     * A text message with a UTF-8 8-bit body, trailing blanks and an 8-bit (RFC 6532) header, so that any
     * re-encoding or line-ending change shows up in a byte comparison.
     */
    public static final byte[] SIMPLE = bytes(
        "Return-Path: <alice@example.com>",
        "Received: from a.example.com by b.example.com; Mon, 2 Jan 2023 10:00:00 +0000",
        "Received: from c.example.com by a.example.com; Mon, 2 Jan 2023 09:59:00 +0000",
        "X-Received: by relay.example.com",
        "From: Alice <alice@example.com>",
        "To: Bob <bob@example.com>",
        "Subject: Quarterly =?UTF-8?Q?r=C3=A9sultats?=",
        "X-Comment: caf\u00e9 cr\u00e8me",
        "Date: Mon, 2 Jan 2023 10:00:00 +0000",
        "Message-ID: <simple-1@example.com>",
        "MIME-Version: 1.0",
        "X-Secret: 42",
        "x-internal-route: relay-7",
        "X-Internal-Trace: hop1,",
        " hop2",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        "Bonjour Bob,   ",
        "",
        "voil\u00e0 les r\u00e9sultats: 42 \u20ac.",
        "X-Secret: not a header, part of the body",
        "",
        "-- ",
        "Alice");

    public static final byte[] MULTIPART = bytes(
        "From: alice@example.com",
        "To: bob@example.com",
        "Subject: report",
        "Date: Mon, 2 Jan 2023 10:00:00 +0000",
        "Message-ID: <multi-1@example.com>",
        "MIME-Version: 1.0",
        "X-Secret: 42",
        "Content-Type: multipart/mixed; boundary=\"b1\"",
        "",
        "preamble text",
        "--b1",
        "Content-Type: text/plain; charset=us-ascii",
        "X-Secret: part header, must stay",
        "",
        "see attachment",
        "--b1",
        "Content-Type: application/octet-stream; name=\"r.bin\"",
        "Content-Disposition: attachment; filename=\"r.bin\"",
        "Content-Transfer-Encoding: base64",
        "",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g",
        "--b1--",
        "epilogue");

    public static byte[] bytes(String... lines) {
        return String.join(CRLF, lines).concat(CRLF).getBytes(StandardCharsets.UTF_8);
    }

    /** The bytes after the first empty line. */
    public static byte[] bodyOf(byte[] message) {
        int separator = Bytes.indexOf(message, (CRLF + CRLF).getBytes(StandardCharsets.US_ASCII));
        return Arrays.copyOfRange(message, separator + 4, message.length);
    }

    /** The header section, without the empty line, decoded byte-per-char. */
    public static String headerOf(byte[] message) {
        int separator = Bytes.indexOf(message, (CRLF + CRLF).getBytes(StandardCharsets.US_ASCII));
        return new String(message, 0, separator + 2, StandardCharsets.ISO_8859_1);
    }

    /** The message with the given exact header lines (CRLF included) taken out. */
    public static byte[] without(byte[] message, String... headerLines) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        for (String line : headerLines) {
            String target = line + CRLF;
            int index = text.indexOf(target);
            if (index < 0 || index > text.indexOf(CRLF + CRLF)) {
                throw new IllegalArgumentException("not a header line of the fixture: " + line);
            }
            text = text.substring(0, index) + text.substring(index + target.length());
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static MimeMessage parse(byte[] message) throws MessagingException {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
    }

    public static byte[] write(MimeMessage message) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    public static boolean hasOnlyCrlfLineEndings(byte[] message) {
        for (int i = 0; i < message.length; i++) {
            boolean crWithoutLf = message[i] == '\r' && (i + 1 == message.length || message[i + 1] != '\n');
            boolean lfWithoutCr = message[i] == '\n' && (i == 0 || message[i - 1] != '\r');
            if (crWithoutLf || lfWithoutCr) {
                return false;
            }
        }
        return true;
    }

    private MessageFixtures() {
    }
}
