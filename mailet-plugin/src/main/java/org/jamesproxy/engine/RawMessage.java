package org.jamesproxy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MimeMessageWrapper;

/**
 * Writes a message as it would go on the wire, for a scanner, without side effects on the message. James's
 * {@code MimeMessageWrapper.writeTo} calls {@code saveChanges()} once a header was modified (adding MIME-Version and
 * Message-ID, and re-rendering a parsed body), which a scan must not cause: for a wrapper whose body is untouched, the
 * current header lines are written followed by the body bytes as they are. Other messages (a body a mailet replaced,
 * or not a wrapper) are written by their own {@code writeTo}.
 */
public final class RawMessage {
    private static final byte[] CRLF = {'\r', '\n'};

    private RawMessage() {
    }

    public static void writeTo(MimeMessage message, OutputStream out) throws IOException, MessagingException {
        if (message instanceof MimeMessageWrapper && !((MimeMessageWrapper) message).isBodyModified()) {
            Enumeration<String> lines = message.getAllHeaderLines();
            while (lines.hasMoreElements()) {
                out.write(headerLineBytes(lines.nextElement()));
                out.write(CRLF);
            }
            out.write(CRLF);
            try (InputStream body = message.getRawInputStream()) {
                body.transferTo(out);
            }
        } else {
            message.writeTo(out);
        }
    }

    /**
     * Whether the message has no body at all. The IMAP proxy runs its action over a header-only fetch
     * ({@code BODY[HEADER]}) as a message with an empty body: scanning that would only stamp "clean"/"no spam" on the
     * header of a message whose body was not seen, so the engine mailets leave such a message alone.
     */
    public static boolean hasEmptyBody(MimeMessage message) throws MessagingException {
        return message.getSize() == 0;
    }

    /** javax.mail holds header bytes as ISO-8859-1 chars: writing them back so restores 8-bit (RFC 6532) headers. */
    private static byte[] headerLineBytes(String line) {
        boolean latin1 = line.chars().allMatch(c -> c <= 0xFF);
        return line.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }
}
