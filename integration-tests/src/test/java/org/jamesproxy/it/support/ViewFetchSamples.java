package org.jamesproxy.it.support;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.Properties;
import java.util.function.UnaryOperator;

import javax.mail.BodyPart;
import javax.mail.Message;
import javax.mail.Multipart;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLContext;

import org.jamesproxy.engine.testing.TestMessages;
import org.jamesproxy.engine.testing.TestSignatures;

/**
 * What the issue-11 view tests (in-process James and Dovecot as upstreams) share: the four messages they append in
 * this order (EICAR named invoice.pdf so only clamd finds it, a renamed .exe, a clean multipart with a nested
 * message/rfc822, a large clean one), javax.mail with its default settings, and how a read is turned into text.
 */
public final class ViewFetchSamples {
    /** UIDs (and sequence numbers) in a fresh INBOX after {@link #messages}. */
    public static final int EICAR = 1;
    public static final int EXE = 2;
    public static final int CLEAN = 3;
    public static final int BIG = 4;
    public static final String CLEAN_PART = "quarterly numbers, all fine\r\n".repeat(20);
    public static final String EICAR_BASE64 = Base64.getEncoder().encodeToString(TestSignatures.eicar()).substring(0, 40);
    public static final String EXE_MARKER = "MZ-this-is-a-windows-program";

    private ViewFetchSamples() {
    }

    public static Message[] messages(Session session) throws Exception {
        return new Message[] {
            new MimeMessage(session, new ByteArrayInputStream(
                TestMessages.withAttachment("invoice attached", "invoice.pdf", "application/pdf", TestSignatures.eicar()))),
            new MimeMessage(session, new ByteArrayInputStream(
                TestMessages.withAttachment("tool attached", "setup.exe", "application/octet-stream",
                    (EXE_MARKER + "\0\0\0").repeat(50).getBytes(ISO_8859_1)))),
            new MimeMessage(session, new ByteArrayInputStream(cleanWithNestedMessage())),
            new MimeMessage(session, new ByteArrayInputStream(
                TestMessages.withAttachment("big report", "report.txt", "text/plain",
                    "line of a large clean report\r\n".repeat(4000).getBytes(ISO_8859_1))))};
    }

    /** A clean multipart whose second part is a forwarded message (message/rfc822) with a text part of its own. */
    private static byte[] cleanWithNestedMessage() {
        String nested = "From: bob@example.com\r\nSubject: forwarded\r\nContent-Type: text/plain\r\n\r\nnested body\r\n";
        return ("From: alice@demo.local\r\nTo: alice@demo.local\r\nSubject: clean report\r\nMessage-ID: <clean@test>\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
            + "--outer\r\nContent-Type: text/plain\r\n\r\n" + CLEAN_PART
            + "--outer\r\nContent-Type: message/rfc822\r\n\r\n" + nested
            + "--outer--\r\n").getBytes(ISO_8859_1);
    }

    /** javax.mail over imaps with its defaults (partialfetch true, 16 KiB) or the given fetch size. */
    public static Session defaultJavaMail(SSLContext trust, Integer fetchSize) {
        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.socketFactory", trust.getSocketFactory());
        properties.put("mail.imaps.ssl.checkserveridentity", "true");
        properties.put("mail.imaps.timeout", "30000");
        if (fetchSize != null) {
            properties.put("mail.imaps.fetchsize", String.valueOf(fetchSize));
        }
        return Session.getInstance(properties);
    }

    public static String raw(Message message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(ISO_8859_1);
    }

    /** Each part as "content type|file name|decoded content", the content type as {@code contentType} renders it. */
    public static String allParts(Message message, UnaryOperator<String> contentType) throws Exception {
        StringBuilder text = new StringBuilder();
        Object content = message.getContent();
        if (content instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart part = multipart.getBodyPart(i);
                text.append(contentType.apply(part.getContentType())).append('|').append(part.getFileName()).append('|');
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                part.getInputStream().transferTo(out);
                text.append(out.toString(ISO_8859_1)).append('\n');
            }
        } else {
            text.append(content);
        }
        return text.toString();
    }

    public static void assertNoThreat(String text) {
        assertThat(text).doesNotContain(EICAR_BASE64, TestSignatures.EICAR_TEXT, EXE_MARKER,
            Base64.getEncoder().encodeToString(EXE_MARKER.getBytes(ISO_8859_1)).substring(0, 20));
    }
}
