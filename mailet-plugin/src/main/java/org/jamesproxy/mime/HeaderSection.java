package org.jamesproxy.mime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.internet.MimePart;

import org.jamesproxy.mailet.action.PartPath;

/**
 * A part's header section as the most lenient mainstream readers take it, where it differs from javax.mail's:
 * <ul>
 *   <li><b>a line that is not a header field</b> (no {@code name:}), such as base64 written right after the header
 *       fields without the blank line: javax.mail reads it and everything up to the next blank line as more header
 *       fields (and the body as empty); lenient readers end the header section there and decode what follows as the
 *       body. Here the body then starts at that line ({@link #bodyPrefix()}), and a {@code Content-*} field javax.mail
 *       found after it makes the part unscannable (the two readings disagree on the part's type);</li>
 *   <li><b>a {@code Content-*} field folded into another field</b> (a continuation line
 *       {@code " Content-Transfer-Encoding: base64"} under Content-Type): javax.mail reads it as part of the value,
 *       readers that re-split continuation lines that look like fields take it as a field. Here it counts as a field
 *       (and is cut off the value it was folded into); if it contradicts a real field of that name, the part is
 *       unscannable (two different values, see {@link MimeScanner}).</li>
 * </ul>
 */
final class HeaderSection {
    private static final Pattern FIELD = Pattern.compile("^[!-9;-~]+[ \\t]*:");
    private static final Pattern FOLDED_CONTENT_FIELD = Pattern.compile("\\r?\\n[ \\t]+(Content-[A-Za-z-]+)[ \\t]*:[ \\t]*",
        Pattern.CASE_INSENSITIVE);
    private static final byte[] CRLF = {'\r', '\n'};

    private final List<String> contentTypes = new ArrayList<>();
    private final List<String> encodings = new ArrayList<>();
    private final List<String> dispositions = new ArrayList<>();
    private final Optional<byte[]> bodyPrefix;
    private boolean folded;

    private HeaderSection(Optional<byte[]> bodyPrefix) {
        this.bodyPrefix = bodyPrefix;
    }

    /** @param root the message itself: an mbox {@code From } line at its top is no body start */
    static HeaderSection of(MimePart part, PartPath path, boolean root, int maxHeaderSize)
        throws MessagingException, UnscannableException {
        List<String> fields = new ArrayList<>();
        List<String> notFields = new ArrayList<>();
        long size = 0;
        Enumeration<String> lines = part.getAllHeaderLines();
        boolean first = true;
        while (lines.hasMoreElements()) {
            String line = lines.nextElement();
            size += line.length() + 2;
            if (size > maxHeaderSize) {
                throw new UnscannableException(path, "header section larger than maxHeaderSize (" + maxHeaderSize + " bytes)");
            }
            boolean mbox = first && root && line.startsWith("From ");
            first = false;
            if (!notFields.isEmpty() || !(mbox || FIELD.matcher(line).find())) {
                notFields.add(line);
            } else {
                fields.add(line);
            }
        }
        Optional<byte[]> prefix = Optional.empty();
        if (!notFields.isEmpty()) {
            for (String line : notFields) {
                if (line.regionMatches(true, 0, "Content-", 0, "Content-".length()) && FIELD.matcher(line).find()) {
                    throw new UnscannableException(path, "a line that is no header field, then a " + line.split(":", 2)[0]
                        + " field: the part's header section ends differently for different readers");
                }
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            for (String line : notFields) {
                bytes.writeBytes(line.getBytes(StandardCharsets.ISO_8859_1));
                bytes.writeBytes(CRLF);
            }
            bytes.writeBytes(CRLF);
            prefix = Optional.of(bytes.toByteArray());
        }
        HeaderSection section = new HeaderSection(prefix);
        for (String field : fields) {
            section.add(field);
        }
        return section;
    }

    private void add(String field) {
        Matcher folded = FOLDED_CONTENT_FIELD.matcher(field);
        String own = field;
        if (folded.find()) {
            this.folded = true;
            own = field.substring(0, folded.start());
            // The rest may hold further folded fields.
            add(field.substring(folded.start(1)).replaceFirst("^\\s+", ""));
        }
        int colon = own.indexOf(':');
        String name = own.substring(0, colon).trim().toLowerCase(Locale.US);
        String value = own.substring(colon + 1).trim();
        switch (name) {
            case "content-type" -> contentTypes.add(value);
            case "content-transfer-encoding" -> encodings.add(value);
            case "content-disposition" -> dispositions.add(value);
            default -> {
            }
        }
    }

    List<String> contentTypes() {
        return contentTypes;
    }

    List<String> encodings() {
        return encodings;
    }

    List<String> dispositions() {
        return dispositions;
    }

    /** Whether this reading differs from javax.mail's: a body prefix, or a field taken out of another one. */
    boolean isLenient() {
        return bodyPrefix.isPresent() || folded;
    }

    /** The lines that start the body in the lenient reading (with the line breaks), when the header section had any. */
    Optional<byte[]> bodyPrefix() {
        return bodyPrefix;
    }
}
