package org.jamesproxy.inspection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.InternetHeaders;
import javax.mail.internet.MailDateFormat;
import javax.mail.internet.MimeUtility;

import com.google.common.base.CharMatcher;

/**
 * Renders the message that IMAP/POP3 clients receive in place of a denied one: a small RFC 5322 {@code text/plain}
 * message with CRLF line endings. It keeps the original From, To, Date, Message-ID and Subject (prefixed with
 * {@value #SUBJECT_PREFIX}) when they parse, so the notice sorts and threads where the message would have, and carries
 * the reason both in the {@value #DENIED_HEADER} header and in the body.
 * <p>
 * A pure function of its arguments: the current time is a parameter, used only when the original has no valid Date.
 */
public final class DenyNotice {
    public static final String DENIED_HEADER = "X-JamesProxy-Denied";
    public static final String SUBJECT_PREFIX = "[Denied] ";
    public static final String FALLBACK_FROM = "Mail Proxy <mailer-daemon@proxy.invalid>";
    static final String DEFAULT_REASON = "denied by policy";

    private static final DateTimeFormatter RFC_5322_DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);
    private static final Pattern MESSAGE_ID = Pattern.compile("<[^<>\\s@]+@[^<>\\s@]+>");
    private static final Pattern FOLDING = Pattern.compile("\r?\n(?=[ \t])");
    private static final CharMatcher PRINTABLE_ASCII = CharMatcher.inRange(' ', '~');

    /** What could be read from the original's header, each value only when it parsed. */
    private static final class OriginalHeaders {
        private final Optional<InternetAddress[]> from;
        private final Optional<InternetAddress[]> to;
        private final Optional<String> date;
        private final Optional<String> messageId;
        private final Optional<String> subject;

        private OriginalHeaders(InternetHeaders headers) {
            this.from = addresses(headers, "From");
            this.to = addresses(headers, "To");
            this.date = first(headers, "Date").filter(DenyNotice::isDate);
            this.messageId = first(headers, "Message-ID").filter(value -> MESSAGE_ID.matcher(value).matches());
            this.subject = first(headers, "Subject").map(DenyNotice::decode);
        }
    }

    /**
     * @param originalMessage the denied message's bytes (only its header section is read)
     * @param reason why it was denied; made single-line and bounded
     * @param now the Date of the notice when the original has none that parses
     */
    public static byte[] render(byte[] originalMessage, String reason, ZonedDateTime now) {
        return render(originalMessage, reason, Optional.empty(), now);
    }

    /**
     * @param text the configured deny message, already rendered ({@link ProxyMailAttributes#VERDICT_MESSAGE}): its
     *             subject line, if any, replaces {@value #SUBJECT_PREFIX}+original subject, its text the default body
     */
    public static byte[] render(byte[] originalMessage, String reason, Optional<DenyText> text, ZonedDateTime now) {
        OriginalHeaders original = new OriginalHeaders(parseHeaders(originalMessage));
        String safeReason = Reasons.sanitize(reason, DEFAULT_REASON);
        String subject = text.flatMap(DenyText::getSubject)
            .orElseGet(() -> SUBJECT_PREFIX + original.subject.orElse("message removed by the mail proxy"));

        StringBuilder message = new StringBuilder();
        header(message, "Date", original.date.orElseGet(() -> RFC_5322_DATE.format(now)));
        header(message, "From", original.from.map(DenyNotice::formatAddresses).orElse(FALLBACK_FROM));
        original.to.ifPresent(to -> header(message, "To", formatAddresses(to)));
        original.messageId.ifPresent(id -> header(message, "Message-ID", id));
        header(message, "Subject", encode(subject));
        header(message, "MIME-Version", "1.0");
        header(message, "Content-Type", text.map(DenyText::contentType).orElse("text/plain; charset=UTF-8"));
        header(message, "Content-Transfer-Encoding", "quoted-printable");
        header(message, DENIED_HEADER, encode(safeReason));
        message.append("\r\n");

        byte[] head = message.toString().getBytes(StandardCharsets.UTF_8);
        byte[] body = quotedPrintable(text.map(custom -> crlf(custom.getBody())).orElseGet(() -> body(original, safeReason)));
        byte[] result = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, result, head.length, body.length);
        return result;
    }

    private static String body(OriginalHeaders original, String reason) {
        return String.join("\r\n",
            "The mail proxy removed this message before it reached you.",
            "",
            "Reason: " + reason,
            "",
            "Original message:",
            "  From:       " + Reasons.sanitize(original.from.map(InternetAddress::toUnicodeString).orElse(null), "(unknown)"),
            "  Subject:    " + Reasons.sanitize(original.subject.orElse(null), "(none)"),
            "  Date:       " + original.date.orElse("(unknown)"),
            "  Message-ID: " + original.messageId.orElse("(none)"),
            "",
            "If you think this is a mistake, contact your administrator and quote the",
            "Message-ID above.",
            "");
    }

    private static String crlf(String text) {
        String lines = text.replace("\r\n", "\n").replace("\n", "\r\n");
        return lines.endsWith("\r\n") ? lines : lines + "\r\n";
    }

    private static InternetHeaders parseHeaders(byte[] originalMessage) {
        try {
            // allowutf8: RFC 6532 headers decode as UTF-8 instead of byte-per-char.
            return new InternetHeaders(new ByteArrayInputStream(originalMessage), true);
        } catch (MessagingException e) {
            return new InternetHeaders();
        }
    }

    private static Optional<String> first(InternetHeaders headers, String name) {
        return Optional.ofNullable(headers.getHeader(name))
            .filter(values -> values.length > 0)
            .map(values -> FOLDING.matcher(values[0]).replaceAll("").trim())
            .filter(value -> !value.isEmpty());
    }

    private static Optional<InternetAddress[]> addresses(InternetHeaders headers, String name) {
        return first(headers, name).flatMap(value -> {
            try {
                InternetAddress[] parsed = InternetAddress.parseHeader(value, true);
                return parsed.length == 0 ? Optional.empty() : Optional.of(reencode(parsed));
            } catch (AddressException | UnsupportedEncodingException e) {
                return Optional.empty();
            }
        });
    }

    /** Rebuilds each address so a non-ASCII display name is RFC 2047-encoded rather than copied raw. */
    private static InternetAddress[] reencode(InternetAddress[] addresses) throws UnsupportedEncodingException {
        InternetAddress[] result = new InternetAddress[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            result[i] = new InternetAddress(addresses[i].getAddress(), addresses[i].getPersonal(), "UTF-8");
        }
        return result;
    }

    private static String formatAddresses(InternetAddress[] addresses) {
        return InternetAddress.toString(addresses);
    }

    private static boolean isDate(String value) {
        try {
            return new MailDateFormat().parse(value) != null;
        } catch (ParseException e) {
            return false;
        }
    }

    private static String decode(String value) {
        try {
            return MimeUtility.decodeText(value);
        } catch (UnsupportedEncodingException e) {
            return value;
        }
    }

    /** RFC 2047 for anything that is not printable ASCII, so the header section stays 7-bit. */
    private static String encode(String text) {
        if (PRINTABLE_ASCII.matchesAllOf(text)) {
            return text;
        }
        try {
            // encodeText folds between encoded-words without counting the field name; unfold, header() refolds.
            return FOLDING.matcher(MimeUtility.encodeText(text, "UTF-8", "Q")).replaceAll("");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }

    private static void header(StringBuilder message, String name, String value) {
        String line = name + ": " + value;
        message.append(MimeUtility.fold(0, line)).append("\r\n");
    }

    private static byte[] quotedPrintable(String text) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (OutputStream out = MimeUtility.encode(buffer, "quoted-printable")) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | MessagingException e) {
            throw new UncheckedIOException(new IOException("quoted-printable encoding failed", e));
        }
        return buffer.toByteArray();
    }

    private DenyNotice() {
    }
}
