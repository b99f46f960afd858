package org.jamesproxy.mime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.mail.internet.SharedInputStream;

import org.jamesproxy.mailet.action.PartPath;

/**
 * Splits a multipart body into its parts (RFC 2046 5.1.1) in one pass, and refuses the constructions that parsers
 * split differently:
 * <ul>
 *   <li>a line that starts with {@code --boundary} but continues with something else than {@code --} and/or blanks:
 *       parsers that match the boundary as a prefix (several do) split there, strict ones do not. This also catches a
 *       nested multipart whose boundary extends the enclosing one;</li>
 *   <li>a delimiter after the close delimiter: some parsers stop at the close delimiter, others read on and find
 *       more parts in what the first call the epilogue;</li>
 *   <li>no delimiter at all.</li>
 * </ul>
 * A missing close delimiter is accepted on the outermost multipart (common, and every reader then ends the last part at
 * the end of the body), not on a nested one (see {@code requireClose}).
 * <p>
 * The scanner splits the message itself rather than through javax.mail's {@code MimeMultipart}: the parts inspected
 * are exactly those the checks above saw, and the split costs one pass with no copy (parts are views of the shared
 * message bytes), where {@code MimeMultipart} parses at a few tens of MB/s.
 */
final class MultipartSplitter {
    private static final int MAX_REST = 256;

    /** Start (inclusive) and end (exclusive) positions of one part in the shared stream. */
    static final class Span {
        final long start;
        final long end;

        Span(long start, long end) {
            this.start = start;
            this.end = Math.max(start, end);
        }
    }

    /** The body has no delimiter line of the boundary at all. */
    static final class NoDelimiterException extends UnscannableException {
        NoDelimiterException(PartPath path, String reason) {
            super(path, reason);
        }
    }

    private MultipartSplitter() {
    }

    /** Reads {@code body} to its end; the spans are positions for {@link SharedInputStream#newStream}. */
    static List<Span> split(SharedInputStream body, String boundary, PartPath path) throws IOException, UnscannableException {
        return split(body, boundary, path, false);
    }

    /**
     * @param requireClose the multipart is nested: without its close delimiter, an enclosing boundary cut it (an
     *                     outer delimiter interleaved between its parts), and readers that parse the inner multipart
     *                     first see other parts than those that split the outer one first
     */
    static List<Span> split(SharedInputStream body, String boundary, PartPath path, boolean requireClose)
        throws IOException, UnscannableException {
        java.io.InputStream in = (java.io.InputStream) body;
        byte[] marker = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] buffer = new byte[16384];
        StringBuilder rest = new StringBuilder();
        List<Span> spans = new ArrayList<>();
        long position = body.getPosition();
        long lineStart = position;
        int previousLineBreak = 0;
        long partStart = -1;
        int matched = 0;
        boolean full = false;
        boolean closed = false;
        boolean carriageReturn = false;
        int read;
        while ((read = in.read(buffer)) > 0) {
            int i = 0;
            while (i < read) {
                if (matched < 0) {
                    // Not a delimiter candidate: skip to the end of the line in a tight loop.
                    int j = i;
                    while (j < read && buffer[j] != '\n') {
                        j++;
                    }
                    if (j > i) {
                        carriageReturn = buffer[j - 1] == '\r';
                        position += j - i;
                        i = j;
                    }
                    if (i == read) {
                        break;
                    }
                }
                byte b = buffer[i];
                if (b == '\n') {
                    long lineEnd = position + 1;
                    if (full) {
                        String problem = problem(rest, closed, boundary);
                        if (problem != null) {
                            throw new UnscannableException(path, problem);
                        }
                        if (partStart >= 0) {
                            spans.add(new Span(partStart, lineStart - previousLineBreak));
                            partStart = -1;
                        }
                        if (isClose(rest)) {
                            closed = true;
                        } else if (!closed) {
                            partStart = lineEnd;
                        }
                    }
                    previousLineBreak = carriageReturn ? 2 : 1;
                    lineStart = lineEnd;
                    matched = 0;
                    full = false;
                    rest.setLength(0);
                    carriageReturn = false;
                } else {
                    carriageReturn = b == '\r';
                    if (full) {
                        if (rest.length() < MAX_REST) {
                            rest.append((char) (b & 0xff));
                        }
                    } else if (b == marker[matched]) {
                        matched++;
                        full = matched == marker.length;
                    } else {
                        matched = -1;
                    }
                }
                i++;
                position++;
            }
        }
        if (full) {
            // The body ends on a delimiter line without a line break.
            String problem = problem(rest, closed, boundary);
            if (problem != null) {
                throw new UnscannableException(path, problem);
            }
            if (partStart >= 0) {
                spans.add(new Span(partStart, lineStart - previousLineBreak));
                partStart = -1;
            }
            if (isClose(rest)) {
                closed = true;
            } else if (!closed) {
                partStart = position;
            }
        }
        if (partStart >= 0) {
            spans.add(new Span(partStart, position));
        }
        if (spans.isEmpty() && !closed) {
            throw new NoDelimiterException(path, "no delimiter of boundary '" + boundary + "' in the multipart body");
        }
        if (requireClose && !closed) {
            throw new UnscannableException(path, "a nested multipart without the close delimiter of boundary '" + boundary
                + "' (an enclosing boundary interleaved in it?)");
        }
        return spans;
    }

    private static String problem(StringBuilder rest, boolean closed, String boundary) {
        if (isClose(rest)) {
            return null;
        }
        if (!isBlank(rest)) {
            return "a line starts with the boundary '" + boundary + "' but is no delimiter";
        }
        if (closed) {
            return "a delimiter follows the close delimiter of boundary '" + boundary + "'";
        }
        return null;
    }

    private static boolean isClose(CharSequence rest) {
        return rest.length() >= 2 && rest.charAt(0) == '-' && rest.charAt(1) == '-' && isBlank(rest.subSequence(2, rest.length()));
    }

    private static boolean isBlank(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }
}
