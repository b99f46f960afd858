package org.jamesproxy.engine.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Wire-format (CRLF) test messages for the engines: plain text, an attachment in base64, GTUBE spam. */
public final class TestMessages {
    private static final String CRLF = "\r\n";

    private TestMessages() {
    }

    public static byte[] text(String subject, String body) {
        return (headers(subject)
            + "Content-Type: text/plain; charset=us-ascii" + CRLF
            + CRLF
            + body + CRLF).getBytes(StandardCharsets.UTF_8);
    }

    /** multipart/mixed: a text part, then the attachment base64-encoded (76-character lines). */
    public static byte[] withAttachment(String subject, String filename, String contentType, byte[] content) {
        return (headers(subject)
            + "Content-Type: multipart/mixed; boundary=\"=-boundary-1\"" + CRLF
            + CRLF
            + "This is a multi-part message in MIME format." + CRLF
            + "--=-boundary-1" + CRLF
            + "Content-Type: text/plain; charset=us-ascii" + CRLF
            + CRLF
            + "Please find the file attached." + CRLF
            + "--=-boundary-1" + CRLF
            + "Content-Type: " + contentType + "; name=\"" + filename + "\"" + CRLF
            + "Content-Transfer-Encoding: base64" + CRLF
            + "Content-Disposition: attachment; filename=\"" + filename + "\"" + CRLF
            + CRLF
            + Base64.getMimeEncoder(76, CRLF.getBytes(StandardCharsets.US_ASCII)).encodeToString(content) + CRLF
            + "--=-boundary-1--" + CRLF).getBytes(StandardCharsets.UTF_8);
    }

    /** The EICAR file as attachment {@code eicar.com}. */
    public static byte[] withEicarAttachment(String subject) {
        return withAttachment(subject, "eicar.com", "application/octet-stream", TestSignatures.eicar());
    }

    /** A message whose body carries GTUBE: spamd scores it 1000. */
    public static byte[] gtube(String subject) {
        return text(subject, "This is the GTUBE, the" + CRLF + CRLF + "\tGeneric Test for Unsolicited Bulk Email" + CRLF + CRLF
            + TestSignatures.GTUBE + CRLF);
    }

    /** An ordinary short note (ham). */
    public static byte[] ham(String subject) {
        return text(subject, "Hi Alice," + CRLF + CRLF + "the meeting moved to Thursday at 10, same room." + CRLF
            + "I will bring the printed agenda." + CRLF + CRLF + "Bob");
    }

    private static String headers(String subject) {
        return "From: Bob <bob@demo.local>" + CRLF
            + "To: Alice <alice@demo.local>" + CRLF
            + "Subject: " + subject + CRLF
            + "Date: Mon, 2 Jan 2023 10:00:00 +0000" + CRLF
            + "Message-ID: <" + Math.abs(subject.hashCode()) + ".engine-test@demo.local>" + CRLF
            + "MIME-Version: 1.0" + CRLF;
    }
}
