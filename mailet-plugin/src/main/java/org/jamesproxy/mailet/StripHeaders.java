package org.jamesproxy.mailet;

import java.util.Collection;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetException;
import org.apache.mailet.PerRecipientHeaders;
import org.apache.mailet.base.GenericMailet;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * Removes every header field whose <em>name</em> matches one of a list of regular expressions (WatchGuard's "strip
 * headers that match a pattern"). Works in a proxy action and in James's mailetcontainer.xml alike.
 * <p>
 * Parameter:
 * <ul>
 *   <li>{@code patterns} (required): comma-separated Java regular expressions, blanks around each trimmed. Each is
 *       matched case-insensitively against the header field name with <em>find</em> semantics: {@code Received}
 *       also strips {@code X-Received}; anchor it ({@code ^Received$}) for an exact name, or use a prefix
 *       ({@code ^X-Internal-}). Because the comma separates patterns, a pattern cannot contain one
 *       (write {@code X{1,2}} as {@code XX?}). An invalid expression fails {@code init()}.</li>
 * </ul>
 * Example:
 * <pre>
 * &lt;mailet match="All" class="org.jamesproxy.mailet.StripHeaders"&gt;
 *   &lt;patterns&gt;^X-Internal-,^X-Originating-IP$&lt;/patterns&gt;
 * &lt;/mailet&gt;
 * </pre>
 * Only top-level header fields are touched (not those of MIME body parts or attached messages); the body bytes and the
 * other header fields stay as they are, in order. The mailet deliberately does not call {@code saveChanges()}: that
 * would add MIME-Version/Date fields and parse the whole MIME tree, and James's message wrapper saves a
 * header-modified message by itself when writing it. James's per-recipient headers (added at delivery) that match are
 * removed too, like {@code RemoveMimeHeader} does.
 */
public class StripHeaders extends GenericMailet {
    static final String PATTERNS = "patterns";

    private ImmutableList<Pattern> patterns = ImmutableList.of();

    @Override
    public void init() throws MessagingException {
        checkInitParameters(ImmutableSet.of(PATTERNS));
        String configured = getInitParameterAsOptional(PATTERNS)
            .orElseThrow(() -> new MailetException(getMailetName() + ": missing required parameter '" + PATTERNS
                + "' (comma-separated regular expressions matched against header names)"));
        ImmutableList.Builder<Pattern> compiled = ImmutableList.builder();
        for (String expression : Splitter.on(',').trimResults().omitEmptyStrings().split(configured)) {
            compiled.add(compile(expression));
        }
        patterns = compiled.build();
        if (patterns.isEmpty()) {
            throw new MailetException(getMailetName() + ": parameter '" + PATTERNS + "' holds no pattern: '" + configured + "'");
        }
    }

    private Pattern compile(String expression) throws MailetException {
        try {
            return Pattern.compile(expression, Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
            throw new MailetException(getMailetName() + ": invalid regular expression '" + expression + "' in parameter '"
                + PATTERNS + "': " + e.getDescription());
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        MimeMessage message = mail.getMessage();
        // removeHeader() drops every field of a name, whatever its case: collect each name once.
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        Enumeration<Header> headers = message.getAllHeaders();
        while (headers.hasMoreElements()) {
            String name = headers.nextElement().getName();
            if (isStripped(name)) {
                names.add(name);
            }
        }
        // Only touch the message when something matched, so an untouched message stays "unmodified".
        for (String name : names) {
            message.removeHeader(name);
        }
        stripPerRecipientHeaders(mail.getPerRecipientSpecificHeaders());
    }

    private void stripPerRecipientHeaders(PerRecipientHeaders perRecipientHeaders) {
        // Copy: removing from the multimap view while iterating its keys is not allowed.
        for (MailAddress recipient : ImmutableList.copyOf(perRecipientHeaders.getRecipientsWithSpecificHeaders())) {
            Collection<PerRecipientHeaders.Header> recipientHeaders = perRecipientHeaders.getHeadersForRecipient(recipient);
            recipientHeaders.removeIf(header -> isStripped(header.getName()));
        }
    }

    private boolean isStripped(String headerName) {
        return patterns.stream().anyMatch(pattern -> pattern.matcher(headerName).find());
    }

    @Override
    public String getMailetInfo() {
        return "StripHeaders: removes header fields whose name matches a pattern";
    }
}
