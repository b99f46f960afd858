package org.jamesproxy.inspection;

import java.io.ByteArrayOutputStream;

/** A BinHex 4.0 encoder for test messages (header, data fork, empty resource fork, CRCs, run-length coding of 0x90). */
final class BinHexSample {
    private static final String ALPHABET = "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";

    private BinHexSample() {
    }

    static String encode(String name, byte[] data) {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(name.length());
        header.writeBytes(name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        header.write(0);
        header.writeBytes("BINA".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        header.writeBytes("????".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        header.write(0);
        header.write(0);
        int32(header, data.length);
        int32(header, 0);
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        byte[] head = header.toByteArray();
        binary.writeBytes(head);
        crc(binary, head);
        binary.writeBytes(data);
        crc(binary, data);
        crc(binary, new byte[0]);
        ByteArrayOutputStream escaped = new ByteArrayOutputStream();
        for (byte b : binary.toByteArray()) {
            escaped.write(b);
            if ((b & 0xff) == 0x90) {
                escaped.write(0);
            }
        }
        StringBuilder text = new StringBuilder("(This file must be converted with BinHex 4.0)\r\n\r\n:");
        int bits = 0;
        int count = 0;
        int column = 1;
        for (byte b : escaped.toByteArray()) {
            bits = (bits << 8) | (b & 0xff);
            count += 8;
            while (count >= 6) {
                count -= 6;
                column = append(text, ALPHABET.charAt((bits >> count) & 63), column);
            }
        }
        if (count > 0) {
            column = append(text, ALPHABET.charAt((bits << (6 - count)) & 63), column);
        }
        return text.append(":\r\n").toString();
    }

    private static int append(StringBuilder text, char c, int column) {
        if (column == 64) {
            text.append("\r\n");
            column = 0;
        }
        text.append(c);
        return column + 1;
    }

    private static void int32(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    /** CRC-16/XMODEM, as BinHex computes it. */
    private static void crc(ByteArrayOutputStream out, byte[] data) {
        int crc = 0;
        for (byte b : data) {
            crc ^= (b & 0xff) << 8;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }
        out.write((crc >> 8) & 0xff);
        out.write(crc & 0xff);
    }
}
