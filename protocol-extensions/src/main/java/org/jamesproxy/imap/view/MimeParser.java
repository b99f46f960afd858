package org.jamesproxy.imap.view;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A bounded MIME parser that only records where things are: for each entity its header fields (values truncated to
 * a bound), header and body offsets, children and body line count. Sections are then cut from the original bytes,
 * so nothing is re-encoded. Bounds: nesting depth, number of parts, header value length, line prefix; beyond them
 * an entity is kept as a leaf, never an exception. A message that still cannot be parsed is one text/plain part.
 */
final class MimeParser {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LF_BYTES = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final long LOW_SEVEN_BITS = 0x7F7F_7F7F_7F7F_7F7FL;

    static final int MAX_DEPTH = 32;
    static final int MAX_PARTS = 10_000;
    static final int MAX_FIELD_VALUE = 16 * 1024;
    static final int MAX_FIELDS = 2_000;
    private static final int BOUNDARY_LINE_PREFIX = 256;

    private final MessageBytes bytes;
    private int parts;

    private MimeParser(MessageBytes bytes) {
        this.bytes = bytes;
    }

    static MimeEntity parse(MessageBytes bytes) {
        try {
            return new MimeParser(bytes).entity(0, bytes.length(), 0, MediaType.TEXT_PLAIN);
        } catch (IOException | RuntimeException e) {
            return fallback(bytes);
        }
    }

    /** The whole message as one text/plain part, header up to the first blank line. */
    private static MimeEntity fallback(MessageBytes bytes) {
        long length = bytes.length();
        long bodyStart = length;
        try (LineScanner lines = new LineScanner(bytes, 0, length, 1)) {
            while (lines.next()) {
                if (lines.contentLength() == 0) {
                    bodyStart = lines.lineEnd();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            bodyStart = 0;
        }
        return new MimeEntity(0, bodyStart, length, List.of(), MediaType.TEXT_PLAIN, List.of(), null, false);
    }

    private MimeEntity entity(long start, long end, int depth, MediaType defaultType) throws IOException {
        List<HeaderField> fields = new ArrayList<>();
        long bodyStart = header(start, end, fields);
        MediaType type = null;
        for (HeaderField field : fields) {
            if (field.named("Content-Type")) {
                type = MediaType.contentType(field.value());
                break;
            }
        }
        if (type == null) {
            type = defaultType;
        }
        List<MimeEntity> children = List.of();
        MimeEntity message = null;
        boolean room = depth < MAX_DEPTH && parts < MAX_PARTS;
        if (type.type().equals("multipart") && room) {
            String boundary = type.parameter("boundary").orElse("");
            if (!boundary.isEmpty()) {
                MediaType childDefault = type.subtype().equals("digest") ? MediaType.MESSAGE_RFC822 : MediaType.TEXT_PLAIN;
                children = children(bodyStart, end, boundary, depth, childDefault);
            }
        } else if (type.type().equals("message") && type.subtype().equals("rfc822") && room) {
            parts++;
            message = entity(bodyStart, end, depth + 1, MediaType.TEXT_PLAIN);
        }
        return new MimeEntity(start, bodyStart, end, fields, type, children, message,
            type.type().equals("text") || message != null);
    }

    /** Reads the header fields; returns where the body starts (after the blank line, or the end without one). */
    private long header(long start, long end, List<HeaderField> fields) throws IOException {
        try (LineScanner lines = new LineScanner(bytes, start, end, MAX_FIELD_VALUE)) {
            String name = null;
            StringBuilder value = new StringBuilder();
            long fieldStart = start;
            while (lines.next()) {
                byte[] prefix = lines.prefix();
                int length = lines.prefixLength();
                if (lines.contentLength() == 0) {
                    addField(fields, name, value, fieldStart, lines.lineStart());
                    return lines.lineEnd();
                }
                boolean continuation = prefix[0] == ' ' || prefix[0] == '\t';
                if (continuation && name != null) {
                    if (value.length() < MAX_FIELD_VALUE) {
                        value.append(new String(prefix, 0, Math.min(length, MAX_FIELD_VALUE - value.length()), StandardCharsets.ISO_8859_1));
                    }
                    continue;
                }
                addField(fields, name, value, fieldStart, lines.lineStart());
                name = null;
                int colon = indexOf(prefix, length, (byte) ':');
                if (colon > 0 && !continuation) {
                    String candidate = new String(prefix, 0, colon, StandardCharsets.ISO_8859_1).strip();
                    if (!candidate.isEmpty() && candidate.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
                        name = candidate;
                        value.setLength(0);
                        value.append(new String(prefix, colon + 1, length - colon - 1, StandardCharsets.ISO_8859_1));
                        fieldStart = lines.lineStart();
                    }
                }
                // a line that is neither a field nor a continuation is kept in the raw header but is no field
            }
            addField(fields, name, value, fieldStart, end);
            return end;
        }
    }

    private static void addField(List<HeaderField> fields, String name, StringBuilder value, long rawStart, long rawEnd) {
        if (name != null && fields.size() < MAX_FIELDS) {
            fields.add(new HeaderField(name, value.toString().strip(), rawStart, rawEnd));
        }
    }

    private static int indexOf(byte[] bytes, int length, byte wanted) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Splits a multipart body on its delimiter lines (RFC 2046 §5.1.1): the line break before a delimiter belongs to
     * the delimiter, the preamble and epilogue to no part; without a close delimiter the last part runs to the end.
     */
    private List<MimeEntity> children(long start, long end, String boundary, int depth, MediaType childDefault) throws IOException {
        byte[] dashBoundary = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<long[]> ranges = new ArrayList<>();
        try (LineScanner lines = new LineScanner(bytes, start, end, Math.max(BOUNDARY_LINE_PREFIX, dashBoundary.length + 64))) {
            long partStart = -1;
            int previousTerminator = 0;
            boolean closed = false;
            while (lines.next()) {
                int kind = delimiter(lines, dashBoundary);
                if (kind != 0) {
                    if (partStart >= 0) {
                        ranges.add(new long[] {partStart, Math.max(partStart, lines.lineStart() - previousTerminator)});
                    }
                    if (kind == 2) {
                        closed = true;
                        break;
                    }
                    partStart = lines.lineEnd();
                }
                previousTerminator = lines.terminatorLength();
            }
            if (!closed && partStart >= 0) {
                ranges.add(new long[] {partStart, end});
            }
        }
        List<MimeEntity> children = new ArrayList<>();
        for (long[] range : ranges) {
            if (parts >= MAX_PARTS) {
                break;
            }
            parts++;
            children.add(entity(range[0], range[1], depth + 1, childDefault));
        }
        return children;
    }

    /** 0: not a delimiter, 1: a delimiter, 2: the close delimiter. Transport padding (spaces) is allowed after it. */
    private static int delimiter(LineScanner lines, byte[] dashBoundary) {
        int length = lines.prefixLength();
        byte[] prefix = lines.prefix();
        if (length < dashBoundary.length) {
            return 0;
        }
        for (int i = 0; i < dashBoundary.length; i++) {
            if (prefix[i] != dashBoundary[i]) {
                return 0;
            }
        }
        int i = dashBoundary.length;
        if (length >= i + 2 && prefix[i] == '-' && prefix[i + 1] == '-') {
            return 2;
        }
        if (!lines.complete()) {
            return 0;
        }
        for (; i < length; i++) {
            if (prefix[i] != ' ' && prefix[i] != '\t') {
                return 0;
            }
        }
        return 1;
    }

    /**
     * Lines of a body as James 3.8.1 and Dovecot count them: line feeds (a last line without one is not counted).
     * RFC 3501 only says "size in text lines"; the upstream's count is what clients have seen so far.
     */
    static long countLines(MessageBytes bytes, long start, long end) throws IOException {
        if (end <= start) {
            return 0;
        }
        long lines = 0;
        byte[] buffer = new byte[(int) Math.min(64 * 1024, end - start)];
        try (InputStream in = bytes.open(start, end - start)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                lines += lineFeeds(buffer, n);
            }
        }
        return lines;
    }

    /**
     * The LF bytes among the first {@code length}: eight at a time (a byte of {@code word ^ LF_BYTES} is zero where
     * an LF was; adding 0x7F to its low seven bits carries into bit 7 unless they are all zero, and no carry crosses
     * into the next byte), as this runs over every text body of every message the proxy inspects.
     */
    static int lineFeeds(byte[] buffer, int length) {
        int count = 0;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            long word = (long) LONGS.get(buffer, i) ^ LF_BYTES;
            long nonZero = ((word & LOW_SEVEN_BITS) + LOW_SEVEN_BITS) | word;
            count += Long.bitCount(~(nonZero | LOW_SEVEN_BITS));
        }
        for (; i < length; i++) {
            if (buffer[i] == '\n') {
                count++;
            }
        }
        return count;
    }
}
