package org.jamesproxy.mailet.action;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.MimeMessage;

/** Test messages as wire text, and ways to look into the result. */
final class Messages {
    static final String MIXED = String.join("\r\n",
        "From: alice@example.com",
        "To: bob@example.com",
        "Subject: invoice",
        "Message-ID: <original-1@example.com>",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"outer\"",
        "",
        "--outer",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "Please find the invoice attached.",
        "--outer",
        "Content-Type: application/x-msdownload; name=\"invoice.exe\"",
        "Content-Disposition: attachment; filename=\"invoice.exe\"",
        "Content-Transfer-Encoding: base64",
        "",
        "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "--outer",
        "Content-Type: application/pdf; name=\"terms.pdf\"",
        "Content-Disposition: attachment; filename=\"terms.pdf\"",
        "Content-Transfer-Encoding: base64",
        "",
        "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURl",
        "--outer--",
        "");

    /** mixed[ text, alternative[ text, html ], message/rfc822[ mixed[ text, zip ] ] ] */
    static final String NESTED = String.join("\r\n",
        "From: alice@example.com",
        "To: bob@example.com",
        "Subject: nested",
        "Message-ID: <outer-2@example.com>",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"b1\"",
        "",
        "--b1",
        "Content-Type: text/plain",
        "",
        "outer text",
        "--b1",
        "Content-Type: multipart/alternative; boundary=\"b2\"",
        "",
        "--b2",
        "Content-Type: text/plain",
        "",
        "alt text",
        "--b2",
        "Content-Type: text/html",
        "",
        "<p>alt html</p>",
        "--b2--",
        "--b1",
        "Content-Type: message/rfc822",
        "",
        "From: carol@example.com",
        "Subject: forwarded",
        "Message-ID: <inner-3@example.com>",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"b3\"",
        "",
        "--b3",
        "Content-Type: text/plain",
        "",
        "inner text",
        "--b3",
        "Content-Type: application/zip; name=\"payload.zip\"",
        "Content-Disposition: attachment; filename=\"payload.zip\"",
        "Content-Transfer-Encoding: base64",
        "",
        "UEsDBAoAAAAAAA==",
        "--b3--",
        "--b1--",
        "");

    static MimeMessage parse(String text) throws Exception {
        return new MimeMessage(null, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    static String wire(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Re-parsed from its bytes, so nothing cached hides what went on the wire. */
    static MimeMessage reparsed(MimeMessage message) throws Exception {
        return parse(wire(message));
    }

    static Part part(Part root, int... path) throws Exception {
        Part current = root;
        for (int index : path) {
            Object content = current.getContent();
            if (content instanceof MimeMessage) {
                current = (MimeMessage) content;
                continue;
            }
            current = ((Multipart) content).getBodyPart(index);
        }
        return current;
    }

    static int count(Part multipartHolder) throws Exception {
        return ((Multipart) multipartHolder.getContent()).getCount();
    }

    private Messages() {
    }
}
