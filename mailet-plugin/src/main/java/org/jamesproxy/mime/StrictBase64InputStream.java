package org.jamesproxy.mime;

import java.io.IOException;
import java.io.InputStream;

/**
 * Decodes base64 (RFC 2045 6.8) and refuses what lenient decoders read differently: a character outside the
 * alphabet (line breaks and blanks are allowed and skipped), anything after the padding, a lone trailing character.
 * A last quantum without padding is accepted: every decoder agrees on it.
 * <p>
 * {@code java.util.Base64}'s decoding stream stops silently at the padding, which is exactly the "two readers, two
 * contents" problem: a message can hide a payload behind an early {@code =}.
 */
final class StrictBase64InputStream extends InputStream {
    private static final int[] VALUES = new int[256];

    static {
        java.util.Arrays.fill(VALUES, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = i;
        }
    }

    private final InputStream in;
    private final byte[] input = new byte[8192];
    private final byte[] output = new byte[8192 / 4 * 3 + 3];
    private int outputPosition;
    private int outputLength;
    /** Bits of the quantum being read, and how many characters (padding included) it holds. */
    private int bits;
    private int count;
    private int pads;
    private boolean padded;
    private boolean eof;

    StrictBase64InputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int read = read(one, 0, 1);
        return read < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (outputPosition == outputLength) {
            if (!fill()) {
                return -1;
            }
        }
        int copied = Math.min(length, outputLength - outputPosition);
        System.arraycopy(output, outputPosition, buffer, offset, copied);
        outputPosition += copied;
        return copied;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        outputPosition = 0;
        outputLength = 0;
        int read = in.read(input);
        if (read < 0) {
            eof = true;
            finish();
            return outputLength > 0;
        }
        // The hot loop works on locals (the fields are written back around the rare cases).
        byte[] in = input;
        byte[] out = output;
        int[] values = VALUES;
        int quantum = bits;
        int filled = count;
        int length = outputLength;
        boolean clean = pads == 0 && !padded;
        for (int i = 0; i < read; i++) {
            int c = in[i] & 0xff;
            int value = values[c];
            if (value >= 0 && clean) {
                quantum = quantum << 6 | value;
                if (++filled == 4) {
                    out[length] = (byte) (quantum >> 16);
                    out[length + 1] = (byte) (quantum >> 8);
                    out[length + 2] = (byte) quantum;
                    length += 3;
                    quantum = 0;
                    filled = 0;
                }
            } else if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
                continue;
            } else {
                bits = quantum;
                count = filled;
                outputLength = length;
                unusual(c, value);
                quantum = bits;
                filled = count;
                length = outputLength;
                clean = pads == 0 && !padded;
            }
        }
        bits = quantum;
        count = filled;
        outputLength = length;
        return true;
    }

    /** Padding, and everything that is an error. */
    private void unusual(int c, int value) throws IOException {
        if (padded) {
            throw new IOException("base64 data after the padding");
        }
        if (value >= 0) {
            // An alphabet character after "=" within the quantum ("ab=c").
            throw new IOException("misplaced base64 padding");
        }
        if (c != '=') {
            throw new IOException("character 0x" + Integer.toHexString(c) + " is not base64");
        }
        if (count < 2) {
            throw new IOException("misplaced base64 padding");
        }
        pads++;
        bits = bits << 6;
        if (++count == 4) {
            output[outputLength++] = (byte) (bits >> 16);
            if (pads == 1) {
                output[outputLength++] = (byte) (bits >> 8);
            }
            bits = 0;
            count = 0;
            padded = true;
        }
    }

    /** An unpadded last quantum of 2 or 3 characters. */
    private void finish() throws IOException {
        if (count == 0) {
            return;
        }
        if (count == 1) {
            throw new IOException("truncated base64 data");
        }
        if (pads > 0) {
            throw new IOException("truncated base64 padding");
        }
        int missing = 4 - count;
        bits = bits << (6 * missing);
        output[outputLength++] = (byte) (bits >> 16);
        if (missing == 1) {
            output[outputLength++] = (byte) (bits >> 8);
        }
        count = 0;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
