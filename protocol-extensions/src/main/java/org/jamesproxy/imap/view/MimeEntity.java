package org.jamesproxy.imap.view;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One entity of the parsed message: the message itself, a body part, or the message encapsulated in a
 * message/rfc822 part. Header is [start, bodyStart) (the blank line included), body is [bodyStart, end).
 */
final class MimeEntity {
    final long start;
    final long bodyStart;
    final long end;
    final List<HeaderField> fields;
    final MediaType type;
    final List<MimeEntity> children;
    /** The encapsulated message of a message/rfc822 entity, else null. */
    final MimeEntity message;
    /** Whether BODYSTRUCTURE gives this body's lines (a text or message/rfc822 body). */
    private final boolean countsLines;
    /** Counted when first asked (-1 until then): most views never answer a BODYSTRUCTURE. */
    private volatile long bodyLines = -1;

    MimeEntity(long start, long bodyStart, long end, List<HeaderField> fields, MediaType type, List<MimeEntity> children,
               MimeEntity message, boolean countsLines) {
        this.start = start;
        this.bodyStart = bodyStart;
        this.end = end;
        this.fields = List.copyOf(fields);
        this.type = type;
        this.children = List.copyOf(children);
        this.message = message;
        this.countsLines = countsLines;
    }

    /** The body's lines in {@code bytes} (the view's message), 0 for a body whose lines are not counted. */
    long bodyLines(MessageBytes bytes) throws IOException {
        long lines = bodyLines;
        if (lines < 0) {
            // Two sessions may count at once: both get the same figure.
            lines = countsLines ? MimeParser.countLines(bytes, bodyStart, end) : 0;
            bodyLines = lines;
        }
        return lines;
    }

    boolean isMultipart() {
        return type.type().equals("multipart") && !children.isEmpty();
    }

    boolean isMessage() {
        return message != null;
    }

    long bodySize() {
        return end - bodyStart;
    }

    Optional<String> header(String name) {
        return fields.stream().filter(field -> field.named(name)).map(HeaderField::value).findFirst();
    }

    String transferEncoding() {
        return header("Content-Transfer-Encoding").map(value -> value.strip().toLowerCase(Locale.US)).orElse("7bit");
    }

    /**
     * The child this part number names (RFC 3501 §6.4.5): of a message/rfc822 entity (a part, or the top level), the
     * part of the encapsulated message; of a multipart, its n-th part; of anything else, only 1 = itself when
     * {@code asMessage} (the top level or an encapsulated message), else nothing.
     */
    MimeEntity part(int n, boolean asMessage) {
        if (message != null) {
            return message.part(n, true);
        }
        if (isMultipart()) {
            return n <= children.size() ? children.get(n - 1) : null;
        }
        return asMessage && n == 1 ? this : null;
    }
}
