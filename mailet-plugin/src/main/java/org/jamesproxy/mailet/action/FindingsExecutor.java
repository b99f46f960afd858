package org.jamesproxy.mailet.action;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetConfig;
import org.jamesproxy.inspection.ProxyMailAttributes;

import com.google.common.collect.ImmutableSet;

/**
 * Applies what the rules found to a mail. The most severe finding decides the message's verdict
 * ({@link ProxyMailAttributes#VERDICT} = {@link RuleAction#value()}, reason in
 * {@link ProxyMailAttributes#VERDICT_REASON}).
 * <p>
 * First cut: message-level verdicts only. Stripping and quarantine of parts, deny message templates and alarms
 * are being added by the actions work.
 */
public class FindingsExecutor {
    /** Parameters common to every rule mailet. */
    public static final Set<String> PARAMETERS = ImmutableSet.of();

    public static FindingsExecutor fromConfig(MailetConfig config) throws MessagingException {
        return new FindingsExecutor();
    }

    public void apply(Mail mail, List<Finding> findings) throws MessagingException {
        Finding worst = findings.stream()
            .max(Comparator.comparing(Finding::getAction))
            .orElseThrow(() -> new IllegalArgumentException("no finding"));
        switch (worst.getAction()) {
            case ALLOW:
                return;
            case STRIP:
            case QUARANTINE:
                throw new MessagingException(worst.getAction().value() + " is not implemented yet");
            default:
                mail.setAttribute(new Attribute(ProxyMailAttributes.VERDICT, AttributeValue.of(worst.getAction().value())));
                mail.setAttribute(new Attribute(ProxyMailAttributes.VERDICT_REASON, AttributeValue.of(worst.getReason())));
        }
    }
}
