package org.jamesproxy.mailet.action;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.Part;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.MimeUtility;

import org.jamesproxy.inspection.DenyText;

/**
 * Replaces parts of a message in place, addressed by {@link PartPath}, so that every other part keeps its position
 * (IMAP part numbers stay stable) and its bytes (unchanged parts are copied, not re-encoded).
 * <p>
 * The replacement is a {@code text/plain} (or {@code text/html}, per the deny message) UTF-8 part. When the original
 * had a file name, the replacement is called {@code <original>.txt} (or {@code .html}) with the original's disposition:
 * the user sees which attachment was removed, and it opens as text, never as the original type. Without a file name
 * it is an inline part.
 * <p>
 * A path that ends on the message embedded in a {@code message/rfc822} part (index 0 there) replaces that whole
 * {@code message/rfc822} part. Messages are saved with their Message-ID kept: javax.mail's {@code saveChanges} would
 * otherwise give an embedded message (and a plain {@link MimeMessage}) a new one.
 */
final class MimeParts {
    private MimeParts() {
    }

    /**
     * @return true when the path designates the message itself (the caller replaces the whole body)
     * @throws MessagingException when the path does not exist in this message
     */
    static boolean replace(MimeMessage message, PartPath path, DenyText text) throws MessagingException, IOException {
        if (replaceBelow(message, path.getIndexes(), text, path)) {
            setText(message, text);
            return true;
        }
        return false;
    }

    /** @return true when {@code part} itself must be replaced by its container */
    private static boolean replaceBelow(Part part, List<Integer> rest, DenyText text, PartPath path)
        throws MessagingException, IOException {
        if (rest.isEmpty()) {
            return true;
        }
        int index = rest.get(0);
        if (part.isMimeType("multipart/*")) {
            Object content = part.getContent();
            if (!(content instanceof MimeMultipart)) {
                throw new MessagingException("part " + path + " not found: unreadable multipart");
            }
            MimeMultipart multipart = (MimeMultipart) content;
            if (index >= multipart.getCount()) {
                throw new MessagingException("part " + path + " not found: only " + multipart.getCount() + " parts there");
            }
            Part child = multipart.getBodyPart(index);
            if (replaceBelow(child, rest.subList(1, rest.size()), text, path)) {
                multipart.removeBodyPart(index);
                multipart.addBodyPart(replacementFor(child, text), index);
            }
            // Set back explicitly: javax.mail does not always cache the parsed multipart (James's MimeMessageWrapper
            // re-parses it), and the setter is what tells the message its body changed.
            part.setContent(multipart);
            return false;
        }
        if (part.isMimeType("message/rfc822")) {
            Object content = part.getContent();
            if (index != 0 || !(content instanceof MimeMessage)) {
                throw new MessagingException("part " + path + " not found: a message/rfc822 part continues with index 0");
            }
            MimeMessage embedded = (MimeMessage) content;
            if (replaceBelow(embedded, rest.subList(1, rest.size()), text, path)) {
                return true;
            }
            saveKeepingMessageId(embedded);
            if (part instanceof MimeBodyPart) {
                // Rendered from the edited embedded message from now on, not from the original bytes.
                ((MimeBodyPart) part).setContent(embedded, "message/rfc822");
            }
            return false;
        }
        throw new MessagingException("part " + path + " not found: part " + part.getContentType() + " has no children");
    }

    private static MimeBodyPart replacementFor(Part original, DenyText text) throws MessagingException {
        MimeBodyPart replacement = new MimeBodyPart();
        setText(replacement, text);
        Optional<String> filename = filename(original);
        if (filename.isPresent()) {
            String disposition = Optional.ofNullable(original.getDisposition()).orElse(Part.ATTACHMENT);
            replacement.setDisposition(disposition);
            String suffix = text.getMimeType().equals(DenyText.TEXT_HTML) ? ".html" : ".txt";
            // A part replaced before (by another rule, or an earlier pass) keeps its name: never invoice.exe.txt.txt.
            boolean named = filename.get().toLowerCase(Locale.ROOT).endsWith(suffix);
            replacement.setFileName(named ? filename.get() : filename.get() + suffix);
        } else {
            replacement.setDisposition(Part.INLINE);
        }
        return replacement;
    }

    private static Optional<String> filename(Part part) {
        try {
            return Optional.ofNullable(part.getFileName())
                .map(MimeParts::decode)
                .map(name -> name.replaceAll("[\\p{Cntrl}]", "").trim())
                .filter(name -> !name.isEmpty());
        } catch (MessagingException e) {
            return Optional.empty();
        }
    }

    private static String decode(String name) {
        try {
            return MimeUtility.decodeText(name);
        } catch (IOException e) {
            return name;
        }
    }

    private static void setText(Part part, DenyText text) throws MessagingException {
        String subtype = text.getMimeType().substring("text/".length());
        String body = text.getBody().replace("\r\n", "\n").replace("\n", "\r\n");
        if (part instanceof MimeBodyPart) {
            ((MimeBodyPart) part).setText(body, "UTF-8", subtype);
        } else {
            ((MimeMessage) part).setText(body, "UTF-8", subtype);
        }
        // Some clients show an attachment icon for any part with a disposition left over from the original root.
        if (part instanceof MimeMessage) {
            part.setDisposition(null);
        }
    }

    /** {@code saveChanges()}, then the Message-ID back as it was (also when there was none). */
    static void saveKeepingMessageId(MimeMessage message) throws MessagingException {
        String[] messageId = message.getHeader("Message-ID");
        message.saveChanges();
        if (messageId == null) {
            message.removeHeader("Message-ID");
        } else {
            message.setHeader("Message-ID", messageId[0]);
        }
    }
}
