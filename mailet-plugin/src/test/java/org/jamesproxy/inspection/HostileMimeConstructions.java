package org.jamesproxy.inspection;

import static org.jamesproxy.mime.MimeSamples.CRLF;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jamesproxy.engine.testing.TestSignatures;
import org.jamesproxy.mime.MimeSamples;

/**
 * The hostile MIME constructions of issue 13, each as a message whose payload is a deflated ZIP ({@code report.zip},
 * entry {@code notes.txt}: no name or type rule fires, only a virus scan of the decoded archive finds what is in it),
 * built once with EICAR ({@link #infected}) and once with harmless text ({@link #clean}).
 */
public enum HostileMimeConstructions {
    /** QP soft line breaks {@code "= "} / {@code "=\t"} before the CRLF: RFC 2045 decoders drop the blanks. */
    QP_SOFT_BREAK_WITH_BLANK(true) {
        @Override
        String build(byte[] zip) {
            return multipart("Content-Type: text/plain" + CRLF + CRLF + "see attachment",
                "Content-Type: application/zip; name=\"report.zip\"" + CRLF + "Content-Transfer-Encoding: quoted-printable" + CRLF
                    + CRLF + quotedPrintable(zip, true));
        }
    },
    /** A part's header followed by its base64 without the blank line. */
    BASE64_WITHOUT_BLANK_LINE(true) {
        @Override
        String build(byte[] zip) {
            return multipart("Content-Type: text/plain" + CRLF + CRLF + "see attachment",
                "Content-Type: application/zip; name=\"report.zip\"" + CRLF + "Content-Transfer-Encoding: base64" + CRLF
                    + MimeSamples.base64(zip));
        }
    },
    /** {@code singlepart/mixed} with a boundary: readers that go by the boundary parameter split it. */
    SINGLEPART_WITH_BOUNDARY(true) {
        @Override
        String build(byte[] zip) {
            return message("singlepart/mixed; boundary=\"b\"", zipParts(zip));
        }
    },
    /** {@code x-multipart/mixed}. */
    X_MULTIPART(true) {
        @Override
        String build(byte[] zip) {
            return message("x-multipart/mixed; boundary=\"b\"", zipParts(zip));
        }
    },
    /** Content-Transfer-Encoding folded as a continuation of the Content-Type line. */
    ENCODING_FOLDED_INTO_CONTENT_TYPE(true) {
        @Override
        String build(byte[] zip) {
            return multipart("Content-Type: text/plain" + CRLF + CRLF + "see attachment",
                "Content-Type: application/zip; name=\"report.zip\";" + CRLF + " Content-Transfer-Encoding: base64" + CRLF + CRLF
                    + MimeSamples.base64(zip));
        }
    },
    /** An outer delimiter between the parts of the inner multipart (the inner one is then never closed in its span). */
    OUTER_BOUNDARY_INSIDE_INNER_MULTIPART(false) {
        @Override
        String build(byte[] zip) {
            return message("multipart/mixed; boundary=\"outer\"",
                "--outer" + CRLF + "Content-Type: multipart/mixed; boundary=\"inner\"" + CRLF + CRLF
                    + "--inner" + CRLF + "Content-Type: text/plain" + CRLF + CRLF + "see attachment" + CRLF
                    + "--outer" + CRLF + "Content-Type: text/plain" + CRLF + CRLF + "filler" + CRLF
                    + "--inner" + CRLF + zipPart(zip) + CRLF
                    + "--inner--" + CRLF
                    + "--outer--" + CRLF);
        }
    },
    /** uuencode block inside a text part. */
    UUENCODE_IN_TEXT(true) {
        @Override
        String build(byte[] zip) {
            return message("text/plain; charset=us-ascii", "the file:" + CRLF + CRLF + uuencode("report.zip", zip) + CRLF + "bye" + CRLF);
        }
    },
    /** yEnc block inside a text part. */
    YENC_IN_TEXT(true) {
        @Override
        String build(byte[] zip) {
            return message("text/plain; charset=iso-8859-1", "the file:" + CRLF + CRLF + yenc("report.zip", zip) + "bye" + CRLF);
        }
    },
    /** BinHex 4.0 block inside a text part. */
    BINHEX_IN_TEXT(true) {
        @Override
        String build(byte[] zip) {
            return message("text/plain; charset=us-ascii", "the file:" + CRLF + CRLF + BinHexSample.encode("report.zip", zip) + CRLF + "bye" + CRLF);
        }
    };

    private final boolean normalised;

    HostileMimeConstructions(boolean normalised) {
        this.normalised = normalised;
    }

    /** True when the construction is read the lenient way and scanned; false when it is declared unscannable. */
    public boolean isNormalised() {
        return normalised;
    }

    abstract String build(byte[] zip);

    public byte[] infected() {
        return build(zip(TestSignatures.eicar())).getBytes(StandardCharsets.ISO_8859_1);
    }

    public byte[] clean() {
        return build(zip("Minutes of the meeting: nothing to report.".getBytes(StandardCharsets.US_ASCII)))
            .getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] zip(byte[] notes) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("notes.txt", notes);
        return MimeSamples.zip(entries);
    }

    private static String zipPart(byte[] zip) {
        return "Content-Type: application/zip; name=\"report.zip\"" + CRLF + "Content-Transfer-Encoding: base64" + CRLF + CRLF
            + MimeSamples.base64(zip);
    }

    private static String zipParts(byte[] zip) {
        return MimeSamples.multipartBody("b", "Content-Type: text/plain" + CRLF + CRLF + "see attachment", zipPart(zip));
    }

    private static String multipart(String... parts) {
        return message("multipart/mixed; boundary=\"b\"", MimeSamples.multipartBody("b", parts));
    }

    private static String message(String contentType, String body) {
        return "From: alice@example.com" + CRLF + "To: bob@example.com" + CRLF + "Subject: the report" + CRLF
            + "Message-ID: <hostile@example.com>" + CRLF + "MIME-Version: 1.0" + CRLF
            + "Content-Type: " + contentType + CRLF + CRLF + body;
    }

    /** Quoted-printable in 60-character lines; every soft break is {@code "= "} or {@code "=\t"} when {@code blanks}. */
    static String quotedPrintable(byte[] data, boolean blanks) {
        StringBuilder out = new StringBuilder();
        int column = 0;
        int breaks = 0;
        for (byte value : data) {
            int b = value & 0xff;
            String encoded = (b >= 33 && b <= 126 && b != '=') ? String.valueOf((char) b) : String.format("=%02X", b);
            if (column + encoded.length() > 60) {
                out.append('=').append(blanks ? (breaks++ % 2 == 0 ? " " : "\t") : "").append(CRLF);
                column = 0;
            }
            out.append(encoded);
            column += encoded.length();
        }
        return out.toString();
    }

    static String uuencode(String name, byte[] data) {
        StringBuilder out = new StringBuilder("begin 644 ").append(name).append(CRLF);
        for (int i = 0; i < data.length; i += 45) {
            int length = Math.min(45, data.length - i);
            out.append((char) (32 + length));
            for (int j = 0; j < length; j += 3) {
                int b0 = data[i + j] & 0xff;
                int b1 = j + 1 < length ? data[i + j + 1] & 0xff : 0;
                int b2 = j + 2 < length ? data[i + j + 2] & 0xff : 0;
                int[] sextets = {b0 >> 2, ((b0 & 3) << 4) | (b1 >> 4), ((b1 & 15) << 2) | (b2 >> 6), b2 & 63};
                for (int sextet : sextets) {
                    out.append(sextet == 0 ? '`' : (char) (32 + sextet));
                }
            }
            out.append(CRLF);
        }
        return out.append('`').append(CRLF).append("end").append(CRLF).toString();
    }

    static String yenc(String name, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("=ybegin line=128 size=" + data.length + " name=" + name + CRLF).getBytes(StandardCharsets.ISO_8859_1));
        int column = 0;
        for (byte value : data) {
            int o = ((value & 0xff) + 42) & 0xff;
            if (o == 0 || o == '\n' || o == '\r' || o == '=') {
                out.write('=');
                o = (o + 64) & 0xff;
                column++;
            }
            out.write(o);
            if (++column >= 128) {
                out.writeBytes(CRLF.getBytes(StandardCharsets.ISO_8859_1));
                column = 0;
            }
        }
        if (column > 0) {
            out.writeBytes(CRLF.getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes(("=yend size=" + data.length + CRLF).getBytes(StandardCharsets.ISO_8859_1));
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
