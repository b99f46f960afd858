package org.jamesproxy.inspection;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.james.server.core.MailImpl;
import org.apache.james.util.MDCBuilder;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jamesproxy.mime.TextPartMemo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableList;

/**
 * Runs a {@link ProxyAction} over a message the way a James processor runs its mailets, and turns the outcome into an
 * {@link InspectionResult}.
 * <ul>
 *   <li>The message becomes a James {@link Mail} ({@link MailImpl}) over a lazily parsed {@link InspectedMessage}.
 *       Recipients are the SMTP envelope recipients or, for IMAP/POP3, the user ({@code user} if it is an address,
 *       else {@code user@proxy.invalid}, else {@code unknown@proxy.invalid}) so that James matchers, which answer with
 *       recipients, can match. Attributes {@link ProxyMailAttributes} carry protocol, policy, user and session.</li>
 *   <li>Each step: the mailet runs when its matcher returns at least one recipient. Unlike James, a partial match does
 *       not split the mail: the mailet sees the whole message.</li>
 *   <li>Refusals: a mailet set {@link ProxyMailAttributes#VERDICT} to {@code tempfail}, {@code deny}, {@code drop}
 *       or {@code block} (reason from {@link ProxyMailAttributes#VERDICT_REASON}, deny message from
 *       {@link ProxyMailAttributes#VERDICT_MESSAGE}), or ghosted the mail ({@code Null}), or removed every recipient
 *       (James ghosts such a mail too; both count as deny). Processing stops at the first refusal; a mailet that sets
 *       a verdict decides it alone (the rule mailets already keep the most severe of their findings). A verdict word
 *       that is none of {@link Verdict} is a mailet error. A mailet that moves the mail to another
 *       state ({@code ToProcessor}) ends the action, as the mail would leave a James processor.</li>
 *   <li>Any exception from a matcher, a mailet or the serialisation is handled by {@link OnError}.</li>
 * </ul>
 * Metrics: timer {@value #INSPECTION_TIMER}, counters {@value #INSPECTED}, {@value #MODIFIED}, {@value #DENIED},
 * {@value #TEMPFAILED}, {@value #DROPPED}, {@value #BLOCKED}.
 * Thread-safe as long as the mailets are, which James requires of them anyway.
 */
public class ProxyActionInspector implements MessageInspector {
    private static final Logger LOGGER = LoggerFactory.getLogger(ProxyActionInspector.class);

    public static final String INSPECTION_TIMER = "mailproxy-inspection";
    public static final String INSPECTED = "mailproxy-inspected";
    public static final String MODIFIED = "mailproxy-modified";
    public static final String DENIED = "mailproxy-denied";
    public static final String TEMPFAILED = "mailproxy-tempfailed";
    public static final String DROPPED = "mailproxy-dropped";
    public static final String BLOCKED = "mailproxy-blocked";
    public static final String PLACEHOLDER_DOMAIN = "proxy.invalid";
    static final String POLICY_MDC_KEY = "policy";
    static final String ACTION_MDC_KEY = "proxyAction";

    private static final MailAddress UNKNOWN_RECIPIENT = parseAddress("unknown@" + PLACEHOLDER_DOMAIN)
        .orElseThrow(() -> new IllegalStateException("invalid placeholder address"));

    /** What a step refused the message with. */
    private static final class Refusal {
        private final Verdict verdict;
        private final String reason;
        private final Optional<DenyText> text;

        private Refusal(Verdict verdict, String reason, Optional<DenyText> text) {
            this.verdict = verdict;
            this.reason = reason;
            this.text = text;
        }
    }

    /** A matcher, mailet or the serialisation threw; {@code where} names which, for the reason and the log. */
    private static final class StepFailure extends Exception {
        private final String where;

        private StepFailure(String where, Throwable cause) {
            super(where + " threw " + cause.getClass().getSimpleName(), cause);
            this.where = where;
        }
    }

    private final ProxyAction action;
    private final OnError onError;
    private final MetricFactory metricFactory;
    private final Clock clock;
    private final Metric inspected;
    private final Metric modified;
    private final Metric denied;
    private final Metric tempfailed;
    private final Metric dropped;
    private final Metric blocked;

    public ProxyActionInspector(ProxyAction action, OnError onError, MetricFactory metricFactory) {
        this(action, onError, metricFactory, Clock.systemDefaultZone());
    }

    @VisibleForTesting
    ProxyActionInspector(ProxyAction action, OnError onError, MetricFactory metricFactory, Clock clock) {
        this.action = action;
        this.onError = onError;
        this.metricFactory = metricFactory;
        this.clock = clock;
        this.inspected = metricFactory.generate(INSPECTED);
        this.modified = metricFactory.generate(MODIFIED);
        this.denied = metricFactory.generate(DENIED);
        this.tempfailed = metricFactory.generate(TEMPFAILED);
        this.dropped = metricFactory.generate(DROPPED);
        this.blocked = metricFactory.generate(BLOCKED);
    }

    public ProxyAction getAction() {
        return action;
    }

    public OnError getOnError() {
        return onError;
    }

    @Override
    public InspectionResult inspect(InspectionContext context, byte[] message) {
        TimeMetric timer = metricFactory.timer(INSPECTION_TIMER);
        try {
            inspected.increment();
            InspectionResult result = MDCBuilder.withMdc(mdc(context), () -> inspectOrFail(context, message));
            switch (result.getVerdict()) {
                case DENY:
                    denied.increment();
                    break;
                case TEMPFAIL:
                    tempfailed.increment();
                    break;
                case DROP:
                    dropped.increment();
                    break;
                case BLOCK:
                    blocked.increment();
                    break;
                default:
                    if (result.isModified()) {
                        modified.increment();
                    }
            }
            return result;
        } finally {
            timer.stopAndPublish();
        }
    }

    private InspectionResult inspectOrFail(InspectionContext context, byte[] message) {
        if (action.isEmpty()) {
            return InspectionResult.unchanged();
        }
        try {
            return runAction(context, message);
        } catch (StepFailure failure) {
            return onFailure(failure.where, failure.getCause(), message);
        } catch (Exception | LinkageError e) {
            // Building the Mail itself failed: a bug rather than a bad message, still subject to the error rule.
            return onFailure("the inspection pipeline", e, message);
        }
    }

    private InspectionResult runAction(InspectionContext context, byte[] message) throws Exception {
        String mailName = MailImpl.getId();
        InspectedMessage mimeMessage = new InspectedMessage(mailName, message);
        MailImpl mail = newMail(context, mailName, mimeMessage);
        try (TextPartMemo memo = TextPartMemo.open()) {
            // The rule mailets after the first find the text parts' embedded files already searched.
            Optional<Refusal> refusal = runSteps(mail);
            if (refusal.isPresent()) {
                Refusal refused = refusal.get();
                LOGGER.info("Proxy action {}: verdict {} for a message: {}", action.getName(), refused.verdict.value(), refused.reason);
                return refuse(refused.verdict, refused.reason, refused.text, message);
            }
            Optional<byte[]> changed = serialize(mimeMessage, mail);
            LOGGER.debug("Proxy action {} let a message through {}", action.getName(), changed.isPresent() ? "modified" : "unchanged");
            return changed.map(InspectionResult::modified).orElse(InspectionResult.unchanged());
        } finally {
            mail.dispose();
        }
    }

    /** @return the refusal, when a step refused the message */
    private Optional<Refusal> runSteps(Mail mail) throws StepFailure {
        String initialState = mail.getState();
        for (ProxyAction.Step step : action.getSteps()) {
            if (!matches(step, mail)) {
                continue;
            }
            try {
                step.getMailet().service(mail);
            } catch (Exception | LinkageError e) {
                throw new StepFailure("mailet " + step.mailetName(), e);
            }
            Optional<Refusal> refusal = refusal(mail, step);
            if (refusal.isPresent()) {
                return refusal;
            }
            if (!initialState.equals(mail.getState())) {
                LOGGER.debug("Proxy action {}: mailet {} moved the mail to state {}, ending the action",
                    action.getName(), step.mailetName(), mail.getState());
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private boolean matches(ProxyAction.Step step, Mail mail) throws StepFailure {
        try {
            Collection<MailAddress> matched = step.effectiveMatcher().match(mail);
            return matched != null && !matched.isEmpty();
        } catch (Exception | LinkageError e) {
            throw new StepFailure("matcher " + step.matcherName(), e);
        }
    }

    private Optional<Refusal> refusal(Mail mail, ProxyAction.Step step) throws StepFailure {
        Optional<String> word = stringAttribute(mail, ProxyMailAttributes.VERDICT);
        if (word.isPresent()) {
            Verdict verdict = Verdict.parse(word.get()).orElseThrow(() -> new StepFailure("mailet " + step.mailetName(),
                new IllegalArgumentException("unknown verdict '" + Reasons.sanitize(word.get(), "") + "' in "
                    + ProxyMailAttributes.VERDICT.asString())));
            if (verdict.refuses()) {
                String fallback = pastTense(verdict) + " by " + step.mailetName();
                return Optional.of(new Refusal(verdict,
                    Reasons.sanitize(stringAttribute(mail, ProxyMailAttributes.VERDICT_REASON).orElse(null), fallback),
                    stringAttribute(mail, ProxyMailAttributes.VERDICT_MESSAGE).map(DenyText::parse)));
            }
        }
        // James ghosts a mail left without recipients as well (ProcessorImpl).
        if (Mail.GHOST.equals(mail.getState()) || mail.getRecipients().isEmpty()) {
            return Optional.of(new Refusal(Verdict.DENY, "dropped by " + step.mailetName(), Optional.empty()));
        }
        return Optional.empty();
    }

    private Optional<byte[]> serialize(InspectedMessage mimeMessage, Mail mail) throws StepFailure {
        try {
            return mimeMessage.modifiedContent(mail.getMessage());
        } catch (Exception e) {
            throw new StepFailure("serializing the modified message", e);
        }
    }

    private InspectionResult onFailure(String where, Throwable cause, byte[] message) {
        String reason = "inspection failed: " + where + " threw " + cause.getClass().getSimpleName();
        if (onError == OnError.PASS) {
            LOGGER.warn("Proxy action {}: {}; passing the message unchanged (onError=pass)", action.getName(), reason, cause);
            return InspectionResult.unchanged();
        }
        LOGGER.warn("Proxy action {}: {}; denying the message (onError=deny)", action.getName(), reason, cause);
        return deny(reason, message);
    }

    private static String pastTense(Verdict verdict) {
        switch (verdict) {
            case TEMPFAIL:
                return "temporarily refused";
            case DROP:
                return "dropped";
            case BLOCK:
                return "blocked";
            default:
                return "denied";
        }
    }

    private InspectionResult deny(String reason, byte[] message) {
        return refuse(Verdict.DENY, reason, Optional.empty(), message);
    }

    private InspectionResult refuse(Verdict verdict, String reason, Optional<DenyText> text, byte[] message) {
        // Relays put the reason in SMTP replies and logs: one bounded line, whatever a mailet wrote.
        String safeReason = Reasons.sanitize(reason, DenyNotice.DEFAULT_REASON);
        if (verdict.closesConnection()) {
            return InspectionResult.refused(verdict, safeReason, null);
        }
        return InspectionResult.refused(verdict, safeReason, DenyNotice.render(message, safeReason, text, ZonedDateTime.now(clock)));
    }

    private MailImpl newMail(InspectionContext context, String mailName, InspectedMessage mimeMessage) throws Exception {
        MailImpl mail = MailImpl.builder()
            .name(mailName)
            .sender(context.getSender())
            .addRecipients(recipients(context))
            .remoteAddr(context.getRemoteAddress())
            .remoteHost(context.getRemoteAddress())
            .addAttribute(stringAttribute(ProxyMailAttributes.PROTOCOL, context.getProtocol().name()))
            .addAttribute(stringAttribute(ProxyMailAttributes.POLICY, context.getPolicyName()))
            .addAttribute(stringAttribute(ProxyMailAttributes.SESSION_ID, context.getSessionId()))
            .build();
        context.getUser().ifPresent(user -> mail.setAttribute(stringAttribute(ProxyMailAttributes.USER, user)));
        // No copy: setMessage() would duplicate the bytes into a new wrapper (and a temporary file).
        mail.setMessageNoCopy(mimeMessage);
        return mail;
    }

    @VisibleForTesting
    static List<MailAddress> recipients(InspectionContext context) {
        if (!context.getRecipients().isEmpty()) {
            return context.getRecipients();
        }
        return ImmutableList.of(context.getUser()
            .flatMap(user -> parseAddress(user).or(() -> parseAddress(user + "@" + PLACEHOLDER_DOMAIN)))
            .orElse(UNKNOWN_RECIPIENT));
    }

    private static Optional<MailAddress> parseAddress(String value) {
        try {
            return Optional.of(new MailAddress(value));
        } catch (AddressException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Attribute stringAttribute(AttributeName name, String value) {
        return new Attribute(name, AttributeValue.of(value));
    }

    private static Optional<String> stringAttribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .map(String::valueOf);
    }

    private MDCBuilder mdc(InspectionContext context) {
        return MDCBuilder.create()
            .addToContext(MDCBuilder.PROTOCOL, context.getProtocol().name())
            .addToContext(MDCBuilder.IP, context.getRemoteAddress())
            .addToContextIfPresent(MDCBuilder.USER, context.getUser())
            .addToContext(MDCBuilder.SESSION_ID, context.getSessionId())
            .addToContext(POLICY_MDC_KEY, context.getPolicyName())
            .addToContext(ACTION_MDC_KEY, action.getName());
    }
}
