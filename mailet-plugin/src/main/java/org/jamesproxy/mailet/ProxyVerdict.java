package org.jamesproxy.mailet;

import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetException;
import org.apache.mailet.base.GenericMailet;
import org.jamesproxy.inspection.ProxyMailAttributes;
import org.jamesproxy.inspection.Verdict;

import com.google.common.collect.ImmutableSet;

/**
 * Records the proxy's verdict on the mail: sets {@code org.jamesproxy.verdict} and {@code org.jamesproxy.verdict.reason}
 * ({@link ProxyMailAttributes}). In a proxy action a {@code deny} verdict refuses the message: IMAP/POP3 clients get a
 * deny notice instead, SMTP clients a 554 reply, and the remaining steps do not run. Put it behind the matcher that
 * detects what the policy refuses.
 * <p>
 * Parameters:
 * <ul>
 *   <li>{@code verdict}: {@code deny} (default), {@code allow}, {@code tempfail}, {@code drop} or {@code block},
 *       case-insensitive ({@link Verdict} says what each client sees).</li>
 *   <li>{@code reason}: free text, shown to the user and logged; line breaks are turned into spaces. Without it the
 *       reason is "denied by &lt;mailet name&gt;". Any reason left by an earlier mailet is cleared.</li>
 * </ul>
 * <pre>
 * &lt;mailet match="AttachmentFileNameIs=*.exe,*.bat" class="org.jamesproxy.mailet.ProxyVerdict"&gt;
 *   &lt;verdict&gt;deny&lt;/verdict&gt;
 *   &lt;reason&gt;executable attachments are not allowed&lt;/reason&gt;
 * &lt;/mailet&gt;
 * </pre>
 * In James's own mail container the attributes have no effect by themselves; matchers such as
 * {@code HasMailAttributeWithValue} can read them.
 */
public class ProxyVerdict extends GenericMailet {
    static final String VERDICT = "verdict";
    static final String REASON = "reason";

    private String verdict = ProxyMailAttributes.DENY;
    private Optional<String> reason = Optional.empty();

    @Override
    public void init() throws MessagingException {
        checkInitParameters(ImmutableSet.of(VERDICT, REASON));
        verdict = parseVerdict(getInitParameterAsOptional(VERDICT).map(String::trim).orElse(ProxyMailAttributes.DENY));
        reason = getInitParameterAsOptional(REASON)
            .map(value -> value.replaceAll("[\\p{Cntrl}\\s]+", " ").trim())
            .filter(value -> !value.isEmpty());
    }

    private String parseVerdict(String value) throws MailetException {
        return Verdict.parse(value).map(Verdict::value)
            .orElseThrow(() -> new MailetException(getMailetName() + ": invalid value '" + value + "' for parameter '" + VERDICT
                + "': expected one of allow, tempfail, deny, drop, block"));
    }

    @Override
    public void service(Mail mail) {
        mail.setAttribute(new Attribute(ProxyMailAttributes.VERDICT, AttributeValue.of(verdict)));
        mail.removeAttribute(ProxyMailAttributes.VERDICT_REASON);
        mail.removeAttribute(ProxyMailAttributes.VERDICT_MESSAGE);
        reason.ifPresent(text -> mail.setAttribute(new Attribute(ProxyMailAttributes.VERDICT_REASON, AttributeValue.of(text))));
    }

    @Override
    public String getMailetInfo() {
        return "ProxyVerdict: sets the mail proxy's verdict (" + verdict + ")";
    }
}
