package org.jamesproxy.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Files carried inside a text part in the pre-MIME encodings that mail readers still decode: uuencode
 * ({@code begin 644 name} ... {@code end}), yEnc ({@code =ybegin ... name=...} ... {@code =yend}) and BinHex 4.0
 * ({@code (This file must be converted with BinHex 4.0)} then {@code :...:}). Decoded leniently (characters outside
 * the alphabet skipped, checksums not required), as the readers that decode them do: what they can obtain is what is
 * scanned. Bounded: decoding stops with {@link TooLargeException} past {@code maxBytes}.
 */
final class EmbeddedFiles {
    /** Which encoding carried the file; {@link #word()} is what the {@code allow...} parameters and reasons say. */
    enum Kind {
        UUENCODE("uuencoded"), YENC("yEnc-encoded"), BINHEX("BinHex-encoded");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        String word() {
            return word;
        }
    }

    /** One embedded file. */
    static final class File {
        final Kind kind;
        final String name;
        final byte[] content;

        File(Kind kind, String name, byte[] content) {
            this.kind = kind;
            this.name = name;
            this.content = content;
        }
    }

    static final class TooLargeException extends Exception {
        TooLargeException(long limit) {
            super("an embedded file decodes to more than " + limit + " bytes");
        }
    }

    private static final String BINHEX_ALPHABET = "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";
    private static final int[] BINHEX_VALUES = new int[128];

    static {
        java.util.Arrays.fill(BINHEX_VALUES, -1);
        for (int i = 0; i < BINHEX_ALPHABET.length(); i++) {
            BINHEX_VALUES[BINHEX_ALPHABET.charAt(i)] = i;
        }
    }

    private static final String BINHEX_MARKER = "(this file must be converted with binhex";

    private EmbeddedFiles() {
    }

    /**
     * False only when no line can start a block: no "begin " or "=ybegin" at a line start (after LF, CR or nothing,
     * as {@link String#lines} splits) and no "binhex" in any case anywhere. A superset test of what {@link #find}
     * looks for. It runs on every text part, so it copies the bytes once, folds no letters and only makes the JDK's
     * vectorised single-character search: at each g, then at each x or X, it looks at the few bytes around. (A folded
     * copy, String.toLowerCase, then substring searches for "begin " were in turn the hottest frames of the standard
     * action.)
     */
    static boolean mayHoldABlock(byte[] text) {
        String original = new String(text, StandardCharsets.ISO_8859_1);
        return holdsBlockStartLine(original) || binHexEndingAt(original, 'x') || binHexEndingAt(original, 'X');
    }

    /** "begin " or "=ybegin" at a line start, found from their g. */
    private static boolean holdsBlockStartLine(String text) {
        for (int at = text.indexOf('g', 2); at >= 0 && at + 1 < text.length(); at = text.indexOf('g', at + 1)) {
            if (text.charAt(at + 1) == 'i' && (startsALineAt(text, at - 2, "begin ") || startsALineAt(text, at - 4, "=ybegin"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsALineAt(String text, int at, String needle) {
        return at >= 0 && text.startsWith(needle, at)
            && (at == 0 || text.charAt(at - 1) == '\n' || text.charAt(at - 1) == '\r');
    }

    /** "binhex" in any case ending at an x or X, as find() matches it. */
    private static boolean binHexEndingAt(String text, char x) {
        for (int at = text.indexOf(x, 5); at >= 0; at = text.indexOf(x, at + 1)) {
            // "he" before it is rare: only then is the case-insensitive compare (slow per call) worth making.
            if ((text.charAt(at - 1) | 0x20) == 'e' && (text.charAt(at - 2) | 0x20) == 'h'
                && text.regionMatches(true, at - 5, "binhex", 0, 6)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsIgnoreCase(String line, String lowerCaseNeedle) {
        int last = line.length() - lowerCaseNeedle.length();
        for (int i = 0; i <= last; i++) {
            if (line.regionMatches(true, i, lowerCaseNeedle, 0, lowerCaseNeedle.length())) {
                return true;
            }
        }
        return false;
    }

    /** The files in {@code text}, in order; what the running proxy action already found there when it did ({@link TextPartMemo}). */
    static List<File> find(byte[] text, long maxBytes) throws TooLargeException {
        Optional<TextPartMemo> memo = TextPartMemo.current();
        Optional<List<File>> known = memo.flatMap(m -> m.lookup(text, maxBytes));
        if (known.isPresent()) {
            return known.get();
        }
        List<File> files = search(text, maxBytes);
        return memo.isPresent() ? memo.get().remember(text, maxBytes, files) : files;
    }

    private static List<File> search(byte[] text, long maxBytes) throws TooLargeException {
        // Every text part of every message comes here: most hold no block, which one pass over the bytes tells.
        if (!mayHoldABlock(text)) {
            return List.of();
        }
        String content = new String(text, StandardCharsets.ISO_8859_1);
        List<String> lines = content.lines().toList();
        List<File> files = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("begin ") && line.matches("begin [0-7]{3,4} .+")) {
                i = uudecode(lines, i, maxBytes, files);
            } else if (line.startsWith("=ybegin ")) {
                i = ydecode(lines, i, maxBytes, files);
            } else if (containsIgnoreCase(line, BINHEX_MARKER)) {
                i = binhex(lines, i, maxBytes, files);
            }
        }
        return files;
    }

    private static int uudecode(List<String> lines, int begin, long maxBytes, List<File> files) throws TooLargeException {
        String name = lines.get(begin).split(" ", 3)[2].trim();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = begin + 1;
        for (; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.trim().equals("end")) {
                break;
            }
            if (line.isEmpty()) {
                continue;
            }
            int length = (line.charAt(0) - 32) & 63;
            if (length == 0) {
                continue;
            }
            int written = 0;
            for (int j = 1; j + 3 < line.length() + 3 && written < length; j += 4) {
                int[] sextets = new int[4];
                for (int k = 0; k < 4; k++) {
                    sextets[k] = j + k < line.length() ? (line.charAt(j + k) - 32) & 63 : 0;
                }
                int[] bytes = {(sextets[0] << 2) | (sextets[1] >> 4), ((sextets[1] & 15) << 4) | (sextets[2] >> 2),
                    ((sextets[2] & 3) << 6) | sextets[3]};
                for (int b : bytes) {
                    if (written++ < length) {
                        out.write(b & 0xff);
                    }
                }
            }
            check(out, maxBytes);
        }
        files.add(new File(Kind.UUENCODE, name, out.toByteArray()));
        return i;
    }

    private static int ydecode(List<String> lines, int begin, long maxBytes, List<File> files) throws TooLargeException {
        String header = lines.get(begin);
        int at = header.indexOf(" name=");
        String name = at < 0 ? "" : header.substring(at + " name=".length()).trim();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = begin + 1;
        for (; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("=yend")) {
                break;
            }
            if (line.startsWith("=ypart ")) {
                continue;
            }
            for (int j = 0; j < line.length(); j++) {
                int c = line.charAt(j);
                if (c == '=' && j + 1 < line.length()) {
                    c = line.charAt(++j) - 64;
                }
                out.write((c - 42) & 0xff);
            }
            check(out, maxBytes);
        }
        files.add(new File(Kind.YENC, name, out.toByteArray()));
        return i;
    }

    private static int binhex(List<String> lines, int marker, long maxBytes, List<File> files) throws TooLargeException {
        // The data runs from the first ':' after the marker line to the next ':'.
        StringBuilder data = new StringBuilder();
        int i = marker + 1;
        boolean started = false;
        for (; i < lines.size(); i++) {
            String line = lines.get(i);
            int from = 0;
            if (!started) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    if (line.isBlank()) {
                        continue;
                    }
                    return marker;
                }
                started = true;
                from = colon + 1;
            }
            int end = line.indexOf(':', from);
            data.append(line, from, end < 0 ? line.length() : end);
            if (end >= 0) {
                break;
            }
            if (data.length() > maxBytes * 2) {
                throw new TooLargeException(maxBytes);
            }
        }
        byte[] decoded = expandRuns(sixBit(data), maxBytes);
        // Header: name length, name, version, type(4), creator(4), flags(2), data length(4), resource length(4), crc(2).
        if (decoded.length < 1) {
            return i;
        }
        int nameLength = decoded[0] & 0xff;
        int headerEnd = 1 + nameLength + 1 + 4 + 4 + 2 + 4 + 4 + 2;
        if (decoded.length < headerEnd) {
            files.add(new File(Kind.BINHEX, new String(decoded, 1, Math.min(nameLength, decoded.length - 1), StandardCharsets.ISO_8859_1), new byte[0]));
            return i;
        }
        String name = new String(decoded, 1, nameLength, StandardCharsets.ISO_8859_1);
        int lengthAt = 1 + nameLength + 1 + 4 + 4 + 2;
        long dataLength = ((decoded[lengthAt] & 0xffL) << 24) | ((decoded[lengthAt + 1] & 0xff) << 16)
            | ((decoded[lengthAt + 2] & 0xff) << 8) | (decoded[lengthAt + 3] & 0xff);
        int available = decoded.length - headerEnd;
        int length = (int) Math.min(dataLength, available);
        byte[] content = new byte[length];
        System.arraycopy(decoded, headerEnd, content, 0, length);
        files.add(new File(Kind.BINHEX, name, content));
        return i;
    }

    private static byte[] sixBit(CharSequence data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int bits = 0;
        int count = 0;
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            int value = c < 128 ? BINHEX_VALUES[c] : -1;
            if (value < 0) {
                continue;
            }
            bits = (bits << 6) | value;
            count += 6;
            if (count >= 8) {
                count -= 8;
                out.write((bits >> count) & 0xff);
            }
        }
        return out.toByteArray();
    }

    /** BinHex run-length encoding: {@code 0x90} repeats the previous byte (count total), {@code 0x90 0x00} is 0x90. */
    private static byte[] expandRuns(byte[] data, long maxBytes) throws TooLargeException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = -1;
        for (int i = 0; i < data.length; i++) {
            int b = data[i] & 0xff;
            if (b == 0x90 && i + 1 < data.length) {
                int count = data[++i] & 0xff;
                if (count == 0) {
                    out.write(0x90);
                    previous = 0x90;
                } else if (previous >= 0) {
                    for (int k = 1; k < count; k++) {
                        out.write(previous);
                    }
                }
            } else {
                out.write(b);
                previous = b;
            }
            if ((i & 1023) == 0) {
                check(out, maxBytes);
            }
        }
        check(out, maxBytes);
        return out.toByteArray();
    }

    private static void check(ByteArrayOutputStream out, long maxBytes) throws TooLargeException {
        if (out.size() > maxBytes) {
            throw new TooLargeException(maxBytes);
        }
    }
}
