package org.jamesproxy.mailet.action;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.util.MDCBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.jamesproxy.inspection.ProxyMailAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableList;

/**
 * Alarms of one rule: a WARN event on logger {@code org.jamesproxy.alarm} with MDC fields ({@code event=alarm},
 * {@code rule}, {@code ruleAction}, {@code reason}, {@code virus}, {@code filename}, {@code sender}, {@code recipients},
 * {@code protocol}, {@code policy}, {@code ip}, {@code suppressed}) and, with {@code notifyPostmaster=true}, a mail to the
 * postmaster through {@link MailetContext#sendMail}.
 * <p>
 * Rate-limited per rule: at most {@code alarmsPerMinute} alarms in a minute (fixed window); the others are counted
 * and the next alarm that goes out reports how many were suppressed, so a mail storm gives a few alarms with a count,
 * not one per message.
 */
final class Alarms {
    static final Logger ALARM_LOGGER = LoggerFactory.getLogger("org.jamesproxy.alarm");
    private static final Logger LOGGER = LoggerFactory.getLogger(Alarms.class);
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final String rule;
    private final boolean log;
    private final boolean notifyPostmaster;
    private final int perMinute;
    private final Clock clock;
    private Instant windowStart = Instant.MIN;
    private int sentInWindow;
    private long suppressed;

    Alarms(String rule, boolean log, boolean notifyPostmaster, int perMinute, Clock clock) {
        this.rule = rule;
        this.log = log;
        this.notifyPostmaster = notifyPostmaster;
        this.perMinute = perMinute;
        this.clock = clock;
    }

    /** @return how many alarms were suppressed before this one, or empty if this one is suppressed too */
    @VisibleForTesting
    synchronized Optional<Long> admit() {
        Instant now = clock.instant();
        if (!now.isBefore(windowStart.plus(WINDOW))) {
            windowStart = now;
            sentInWindow = 0;
        }
        if (sentInWindow >= perMinute) {
            suppressed++;
            return Optional.empty();
        }
        sentInWindow++;
        long before = suppressed;
        suppressed = 0;
        return Optional.of(before);
    }

    void raise(Mail mail, Finding finding, RuleAction applied, MailetContext context) {
        Optional<Long> admitted = admit();
        if (admitted.isEmpty()) {
            return;
        }
        long suppressedBefore = admitted.get();
        String recipients = mail.getRecipients().stream().map(MailAddress::asString).collect(Collectors.joining(","));
        String sender = mail.getMaybeSender().asString();
        MDCBuilder mdc = MDCBuilder.create()
            .addToContext("event", "alarm")
            .addToContext("rule", rule)
            .addToContext("ruleAction", applied.value())
            .addToContext("category", finding.getCategory().name())
            .addToContext("reason", finding.getReason())
            .addToContextIfPresent("virus", finding.getVirus())
            .addToContextIfPresent("filename", finding.getFilename())
            .addToContext("part", finding.getPart().toString())
            .addToContext("sender", sender)
            .addToContext("recipients", recipients)
            .addToContextIfPresent("protocol", attribute(mail, ProxyMailAttributes.PROTOCOL))
            .addToContextIfPresent("policy", attribute(mail, ProxyMailAttributes.POLICY))
            .addToContextIfPresent(MDCBuilder.IP, Optional.ofNullable(mail.getRemoteAddr()))
            .addToContextIfPresent(MDCBuilder.USER, attribute(mail, ProxyMailAttributes.USER))
            .addToContext("suppressed", String.valueOf(suppressedBefore));
        if (log) {
            // Who, from, to in the line itself: a plain log pattern does not show the MDC.
            MDCBuilder.withMdc(mdc, () -> ALARM_LOGGER.warn("Alarm from rule {}: {} {} ({}; policy {}, client {}, user {},"
                    + " from {} to {}){}", rule, applied.value(), finding.getReason(), finding.getPart(),
                attribute(mail, ProxyMailAttributes.POLICY).orElse("-"), Optional.ofNullable(mail.getRemoteAddr()).orElse("-"),
                attribute(mail, ProxyMailAttributes.USER).orElse("-"), sender, recipients,
                suppressedBefore > 0 ? "; " + suppressedBefore + " earlier alarm(s) of this rule suppressed" : ""));
        }
        if (notifyPostmaster) {
            notifyPostmaster(mail, finding, applied, context, sender, recipients, suppressedBefore);
        }
    }

    private void notifyPostmaster(Mail mail, Finding finding, RuleAction applied, MailetContext context, String sender,
                                  String recipients, long suppressedBefore) {
        try {
            MailAddress postmaster = context.getPostmaster();
            MimeMessage message = new MimeMessage((javax.mail.Session) null);
            message.setFrom(postmaster.toInternetAddress().orElseThrow(() -> new MessagingException("invalid postmaster")));
            message.setRecipients(MimeMessage.RecipientType.TO, postmaster.asString());
            message.setSubject("[mail proxy alarm] " + rule + ": " + applied.value() + ", " + oneLine(finding.getReason()), "UTF-8");
            message.setText(String.join("\r\n", ImmutableList.<String>builder()
                .add("The mail proxy rule " + rule + " raised an alarm.")
                .add("")
                .add("Action:     " + applied.value())
                .add("Category:   " + finding.getCategory())
                .add("Reason:     " + oneLine(finding.getReason()))
                .add("Virus:      " + finding.getVirus().map(Alarms::oneLine).orElse(""))
                .add("File name:  " + finding.getFilename().map(Alarms::oneLine).orElse(""))
                .add("Part:       " + finding.getPart())
                .add("Sender:     " + sender)
                .add("Recipients: " + recipients)
                .add("Protocol:   " + attribute(mail, ProxyMailAttributes.PROTOCOL).orElse("(James mail container)"))
                .add("Policy:     " + attribute(mail, ProxyMailAttributes.POLICY).orElse(""))
                .add("Client:     " + Optional.ofNullable(mail.getRemoteAddr()).orElse(""))
                .add("Message-ID: " + messageId(mail))
                .addAll(suppressedBefore > 0
                    ? List.of("", suppressedBefore + " earlier alarm(s) of this rule were suppressed by the rate limit.")
                    : List.of())
                .add("")
                .build()), "UTF-8");
            message.saveChanges();
            context.sendMail(postmaster, ImmutableList.of(postmaster), message);
        } catch (MessagingException | RuntimeException e) {
            // An alarm that cannot be mailed must not change what happens to the message.
            LOGGER.warn("Rule {}: could not send the alarm to the postmaster: {}", rule, e.getMessage());
        }
    }

    private static String messageId(Mail mail) {
        try {
            return Optional.ofNullable(mail.getMessage().getMessageID()).orElse("(none)");
        } catch (MessagingException e) {
            return "(unreadable)";
        }
    }

    private static Optional<String> attribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(value -> String.valueOf(value.value()));
    }

    private static String oneLine(String text) {
        String flat = text.replaceAll("[\\p{Cntrl}\\s]+", " ").trim();
        return flat.length() <= 200 ? flat : flat.substring(0, 197) + "...";
    }
}
