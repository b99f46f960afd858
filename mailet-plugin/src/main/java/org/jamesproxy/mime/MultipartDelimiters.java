package org.jamesproxy.mime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Checks the delimiter lines of a multipart body for constructions that parsers read differently (RFC 2046 5.1.1):
 * <ul>
 *   <li>a line that starts with {@code --boundary} but continues with something else than {@code --} and/or blanks:
 *       parsers that match the boundary as a prefix (several do) split there, strict ones do not. This also catches a
 *       nested multipart whose boundary extends the enclosing one;</li>
 *   <li>a delimiter after the close delimiter: some parsers stop at the close delimiter, others read on and find
 *       more parts in what the first call the epilogue.</li>
 * </ul>
 * A missing close delimiter is accepted (common, and every reader then ends the last part at the end of the body).
 */
final class MultipartDelimiters {
    private static final int MAX_REST = 256;

    private MultipartDelimiters() {
    }

    static Optional<String> check(InputStream raw, String boundary) throws IOException {
        byte[] marker = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] buffer = new byte[16384];
        StringBuilder rest = new StringBuilder();
        int matched = 0;
        boolean full = false;
        boolean closed = false;
        int read;
        while ((read = raw.read(buffer)) > 0) {
            for (int i = 0; i < read; i++) {
                byte b = buffer[i];
                if (b == '\n') {
                    if (full) {
                        Optional<String> problem = evaluate(rest, closed, boundary);
                        if (problem.isPresent()) {
                            return problem;
                        }
                        closed = closed || isClose(rest);
                    }
                    matched = 0;
                    full = false;
                    rest.setLength(0);
                } else if (full) {
                    if (rest.length() < MAX_REST) {
                        rest.append((char) (b & 0xff));
                    }
                } else if (matched >= 0) {
                    if (b == marker[matched]) {
                        matched++;
                        full = matched == marker.length;
                    } else {
                        matched = -1;
                    }
                }
            }
        }
        if (full) {
            return evaluate(rest, closed, boundary);
        }
        return Optional.empty();
    }

    private static Optional<String> evaluate(StringBuilder rest, boolean closed, String boundary) {
        if (isClose(rest)) {
            return Optional.empty();
        }
        if (!isBlank(rest)) {
            return Optional.of("a line starts with the boundary '" + boundary + "' but is no delimiter");
        }
        if (closed) {
            return Optional.of("a delimiter follows the close delimiter of boundary '" + boundary + "'");
        }
        return Optional.empty();
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
