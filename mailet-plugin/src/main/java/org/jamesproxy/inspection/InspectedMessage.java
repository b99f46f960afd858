package org.jamesproxy.inspection;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.InternetHeaders;
import javax.mail.internet.MimeMessage;
import javax.mail.util.SharedByteArrayInputStream;

import org.apache.james.server.core.MimeMessageUtil;
import org.apache.james.server.core.MimeMessageWrapper;

import com.sun.mail.util.CRLFOutputStream;

/**
 * The message a proxy action works on: a James {@link MimeMessageWrapper} over the wire bytes, so nothing is parsed
 * until a matcher or mailet asks, and the wrapper's change flags tell whether the bytes must be rebuilt.
 * <p>
 * Serialisation, cheapest first:
 * <ol>
 *   <li>nothing modified: the original bytes are used as they are (no serialisation at all);</li>
 *   <li>only headers modified: the header lines as now held, then the original body bytes, copied verbatim
 *       (no re-encoding, and unlike {@link MimeMessageWrapper#writeTo} no {@code saveChanges()}, which would add
 *       MIME-Version/Date headers and parse the whole MIME tree);</li>
 *   <li>body modified: {@code saveChanges()} and the body as James's {@code MimeMessageUtil} writes it (what the mail
 *       container would store), after the header lines written as in 2;</li>
 *   <li>message replaced by a mailet ({@code Mail.setMessage}): that message's own {@code writeTo}. James writes header
 *       lines as US-ASCII there, so raw 8-bit header bytes become '?' on this path only.</li>
 * </ol>
 * Paths 3 and 4 force CRLF line endings (a body in {@code binary} transfer encoding would see its bare CR/LF bytes
 * turned into CRLF). In every case a result equal to the original counts as unchanged.
 */
final class InspectedMessage extends MimeMessageWrapper {
    private static final byte[] CRLF = {'\r', '\n'};

    private final byte[] original;
    private int bodyOffset = -1;

    InspectedMessage(String sourceId, byte[] original) {
        super(new ByteArrayMimeMessageSource(sourceId, original));
        this.original = original;
    }

    @Override
    protected InternetHeaders createInternetHeaders(InputStream is) throws MessagingException {
        if (headers != null && isOriginalFromTheStart(is)) {
            // The full parse after the headers were loaded: skip the header section instead of parsing it again.
            skipFully(is, originalBodyOffset());
            return headers;
        }
        // Always consume the header section: MimeMessage.parse() reads the body from the same stream afterwards.
        InternetHeaders parsed = new OrderPreservingHeaders(is);
        // Headers loaded (and maybe modified) before the full parse stay authoritative, as in MimeMessageWrapper.
        return headers != null ? headers : parsed;
    }

    /**
     * The body size in bytes, as {@link MimeMessageWrapper#getSize()} computes it; needed because the header section
     * is parsed here rather than by the wrapper, which therefore does not know its size.
     */
    @Override
    public int getSize() throws MessagingException {
        if (isBodyModified()) {
            return super.getSize();
        }
        return original.length - originalBodyOffset();
    }

    @Override
    protected synchronized void updateHeaders() throws MessagingException {
        // saveChanges() swaps the body's DataHandler for the cached Multipart/Message object, which a mailet may have
        // edited in place without any setter: from then on the body has to be rendered, not copied from the source.
        if (cachedContent != null) {
            bodyModified = true;
        }
        super.updateHeaders();
    }

    /**
     * @param current what the mail holds after the action ({@code mail.getMessage()}): this message, or one a mailet
     *                set with {@code Mail.setMessage}
     * @return the bytes to send instead of the original, or empty when they would be identical
     */
    Optional<byte[]> modifiedContent(MimeMessage current) throws IOException, MessagingException {
        if (current == this && !isModified()) {
            return Optional.empty();
        }
        if (current == this && !isBodyModified()) {
            return withOriginalBody();
        }
        byte[] rendered = current == this ? renderWithNewBody() : render(current);
        return Arrays.equals(rendered, original) ? Optional.empty() : Optional.of(rendered);
    }

    private Optional<byte[]> withOriginalBody() throws IOException, MessagingException {
        byte[] headers = headerBlock();
        int offset = originalBodyOffset();
        if (Arrays.equals(headers, 0, headers.length, original, 0, offset)) {
            return Optional.empty();
        }
        byte[] content = Arrays.copyOf(headers, headers.length + original.length - offset);
        System.arraycopy(original, offset, content, headers.length, original.length - offset);
        return Optional.of(content);
    }

    /** The header lines and the empty separator line, CRLF-terminated. */
    private byte[] headerBlock() throws IOException, MessagingException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (CRLFOutputStream out = new CRLFOutputStream(buffer)) {
            Enumeration<String> lines = getAllHeaderLines();
            while (lines.hasMoreElements()) {
                out.write(headerLineBytes(lines.nextElement()));
                out.write(CRLF);
            }
            out.write(CRLF);
        }
        return buffer.toByteArray();
    }

    /**
     * javax.mail reads header bytes as ISO-8859-1 chars, so writing ISO-8859-1 gives back the original bytes, 8-bit
     * (RFC 6532 UTF-8) headers included. Only a line a mailet built with chars beyond U+00FF needs UTF-8.
     * (James's InternetHeadersInputStream writes US-ASCII, which would turn 8-bit bytes into '?'.)
     */
    private static byte[] headerLineBytes(String line) {
        boolean latin1 = line.chars().allMatch(c -> c <= 0xFF);
        return line.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    /** Where the body starts in the original bytes: after the empty line, exactly as the wrapper parsed the headers. */
    private int originalBodyOffset() {
        if (bodyOffset < 0) {
            bodyOffset = headerSectionEnd(original);
        }
        return bodyOffset;
    }

    /**
     * The offset just past the empty line that ends the header section, found the way javax.mail's
     * {@code InternetHeaders.load} reads lines ({@code LineInputStream}: a line ends at LF, CRLF, CR CR LF or a lone CR; the first
     * line of length 0 ends the headers); the whole length when there is no empty line. A byte scan, because parsing
     * the headers a second time only to learn where they end was a third of the cost of inspecting a small message.
     */
    static int headerSectionEnd(byte[] message) {
        int lineStart = 0;
        int index = 0;
        while (index < message.length) {
            byte current = message[index];
            if (current != '\n' && current != '\r') {
                index++;
                continue;
            }
            int next = index + 1;
            if (current == '\r') {
                // LineInputStream: CRLF, and CR CR LF (an extraneous CR), end one line; a CR alone ends it too.
                if (next < message.length && message[next] == '\n') {
                    next++;
                } else if (next + 1 < message.length && message[next] == '\r' && message[next + 1] == '\n') {
                    next += 2;
                }
            }
            if (index == lineStart) {
                return next;
            }
            lineStart = next;
            index = next;
        }
        return message.length;
    }

    /** The wrapper's source stream of these very bytes, not yet read: the stream the full parse starts from. */
    private boolean isOriginalFromTheStart(InputStream is) {
        return is instanceof SharedByteArrayInputStream
            && ((SharedByteArrayInputStream) is).getPosition() == 0
            && ((SharedByteArrayInputStream) is).available() == original.length;
    }

    private static void skipFully(InputStream is, int count) throws MessagingException {
        try {
            is.skipNBytes(count);
        } catch (IOException e) {
            throw new MessagingException("could not skip the header section", e);
        }
    }

    private byte[] renderWithNewBody() throws IOException, MessagingException {
        if (!saved) {
            // As MimeMessageWrapper.writeTo does: Content-Type/Transfer-Encoding must describe the new body.
            saveChanges();
        }
        byte[] headers = headerBlock();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(original.length + 1024);
        buffer.write(headers);
        try (CRLFOutputStream out = new CRLFOutputStream(buffer)) {
            MimeMessageUtil.writeMessageBodyTo(this, out);
        }
        return buffer.toByteArray();
    }

    private byte[] render(MimeMessage message) throws IOException, MessagingException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(original.length + 1024);
        try (CRLFOutputStream out = new CRLFOutputStream(buffer)) {
            message.writeTo(out);
        }
        return buffer.toByteArray();
    }
}
