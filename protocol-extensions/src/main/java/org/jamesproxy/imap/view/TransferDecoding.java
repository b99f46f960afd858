package org.jamesproxy.imap.view;

import java.io.ByteArrayOutputStream;

/** Undoes a Content-Transfer-Encoding for BINARY (RFC 3516); lenient like mail readers, never throws on bad input. */
final class TransferDecoding {
    private TransferDecoding() {
    }

    static boolean known(String encoding) {
        return identity(encoding) || encoding.equals("base64") || encoding.equals("quoted-printable");
    }

    static boolean identity(String encoding) {
        return encoding.equals("7bit") || encoding.equals("8bit") || encoding.equals("binary");
    }

    static byte[] decode(String encoding, byte[] encoded) {
        return switch (encoding) {
            case "base64" -> base64(encoded);
            case "quoted-printable" -> quotedPrintable(encoded);
            default -> encoded;
        };
    }

    /** Lenient base64: characters outside the alphabet skipped, decoding stops at padding, a dangling sextet dropped. */
    private static byte[] base64(byte[] encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length * 3 / 4 + 3);
        int buffer = 0;
        int bits = 0;
        for (byte b : encoded) {
            if (b == '=') {
                break;
            }
            int value = sextet(b);
            if (value < 0) {
                continue;
            }
            buffer = buffer << 6 | value;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out.write(buffer >> bits & 0xff);
            }
        }
        return out.toByteArray();
    }

    private static int sextet(byte b) {
        if (b >= 'A' && b <= 'Z') {
            return b - 'A';
        }
        if (b >= 'a' && b <= 'z') {
            return b - 'a' + 26;
        }
        if (b >= '0' && b <= '9') {
            return b - '0' + 52;
        }
        if (b == '+') {
            return 62;
        }
        return b == '/' ? 63 : -1;
    }

    private static byte[] quotedPrintable(byte[] encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length);
        for (int i = 0; i < encoded.length; i++) {
            byte b = encoded[i];
            if (b != '=') {
                out.write(b);
                continue;
            }
            if (i + 1 < encoded.length && encoded[i + 1] == '\n') {
                i += 1; // soft line break (bare LF)
            } else if (i + 2 < encoded.length && encoded[i + 1] == '\r' && encoded[i + 2] == '\n') {
                i += 2; // soft line break
            } else if (i + 2 < encoded.length && hex(encoded[i + 1]) >= 0 && hex(encoded[i + 2]) >= 0) {
                out.write(hex(encoded[i + 1]) << 4 | hex(encoded[i + 2]));
                i += 2;
            } else {
                out.write(b); // not an escape: kept, as readers do
            }
        }
        return out.toByteArray();
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        return -1;
    }
}
