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
    private final byte[] output = new byte[8192 / 4 * 3];
    private final byte[] quantum = new byte[4];
    private int quantumLength;
    private int outputPosition;
    private int outputLength;
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
        int count = Math.min(length, outputLength - outputPosition);
        System.arraycopy(output, outputPosition, buffer, offset, count);
        outputPosition += count;
        return count;
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
        for (int i = 0; i < read; i++) {
            int c = input[i] & 0xff;
            if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
                continue;
            }
            if (padded) {
                throw new IOException("base64 data after the padding");
            }
            if (c != '=' && VALUES[c] < 0) {
                throw new IOException("character 0x" + Integer.toHexString(c) + " is not base64");
            }
            quantum[quantumLength++] = (byte) c;
            if (quantumLength == 4) {
                decodeQuantum();
            }
        }
        return true;
    }

    private void decodeQuantum() throws IOException {
        int pads = quantum[3] == '=' ? (quantum[2] == '=' ? 2 : 1) : 0;
        if (quantum[0] == '=' || quantum[1] == '=' || (quantum[2] == '=' && quantum[3] != '=')) {
            throw new IOException("misplaced base64 padding");
        }
        int bits = VALUES[quantum[0]] << 18 | VALUES[quantum[1]] << 12
            | (pads < 2 ? VALUES[quantum[2]] << 6 : 0) | (pads < 1 ? VALUES[quantum[3]] : 0);
        output[outputLength++] = (byte) (bits >> 16);
        if (pads < 2) {
            output[outputLength++] = (byte) (bits >> 8);
        }
        if (pads < 1) {
            output[outputLength++] = (byte) bits;
        }
        quantumLength = 0;
        padded = pads > 0;
    }

    /** An unpadded last quantum of 2 or 3 characters. */
    private void finish() throws IOException {
        if (quantumLength == 0) {
            return;
        }
        if (quantumLength == 1) {
            throw new IOException("truncated base64 data");
        }
        for (int i = quantumLength; i < 4; i++) {
            quantum[i] = '=';
        }
        quantumLength = 4;
        decodeQuantum();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
