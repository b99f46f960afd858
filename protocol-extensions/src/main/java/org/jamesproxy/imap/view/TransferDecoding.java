package org.jamesproxy.imap.view;

import java.io.ByteArrayOutputStream;
import java.util.Base64;

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

    private static byte[] base64(byte[] encoded) {
        // the MIME decoder skips characters outside the alphabet; stop at the first '=' run's end
        ByteArrayOutputStream clean = new ByteArrayOutputStream(encoded.length);
        for (byte b : encoded) {
            if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/' || b == '=') {
                clean.write(b);
            }
        }
        byte[] chars = clean.toByteArray();
        int usable = chars.length;
        int padding = 0;
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] == '=') {
                usable = i;
                break;
            }
        }
        int whole = usable - usable % 4;
        int rest = usable % 4;
        try {
            byte[] head = Base64.getDecoder().decode(java.util.Arrays.copyOf(chars, whole));
            if (rest < 2) {
                return head;
            }
            byte[] tail = java.util.Arrays.copyOfRange(chars, whole, usable);
            byte[] tailDecoded = Base64.getDecoder().decode(new String(tail, java.nio.charset.StandardCharsets.US_ASCII)
                + "=".repeat(4 - rest - padding));
            byte[] all = java.util.Arrays.copyOf(head, head.length + tailDecoded.length);
            System.arraycopy(tailDecoded, 0, all, head.length, tailDecoded.length);
            return all;
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
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
