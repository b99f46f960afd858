package org.jamesproxy.mailet.action;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.MailetContext;
import org.apache.mailet.MailetException;
import org.jamesproxy.inspection.DenyNotice;
import org.jamesproxy.inspection.DenyText;
import org.jamesproxy.inspection.ProxyMailAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

/**
 * Applies what the rules found to a mail; the same for every rule mailet ({@link InspectionRuleMailet}).
 * <ol>
 *   <li>The most severe finding decides ({@link RuleAction} order).</li>
 *   <li>{@code tempfail}, {@code deny}, {@code drop}, {@code block}: the message is not modified; the verdict goes to
 *       {@link ProxyMailAttributes#VERDICT} with the finding's reason in {@link ProxyMailAttributes#VERDICT_REASON} and,
 *       when the rule has a {@code denyMessage}, the rendered text in {@link ProxyMailAttributes#VERDICT_MESSAGE} (the
 *       body of the notice IMAP/POP3 clients get). In a proxy action the relay then answers as {@link
 *       org.jamesproxy.inspection.Verdict} says; in James's mailetcontainer.xml the attributes can be matched on
 *       ({@code HasMailAttributeWithValue=org.jamesproxy.verdict,deny}).</li>
 *   <li>Otherwise, {@code quarantine}: the original is stored once ({@link Quarantine}); a finding on the whole message
 *       replaces it by a notice ({@link DenyNotice}, body from the deny message, with {@code %(recovery)%}), a finding
 *       on a part replaces that part like {@code strip}.</li>
 *   <li>{@code strip}: each offending part becomes a text part carrying the deny message ({@link MimeParts}: part count
 *       and positions kept; a part inside another offending part is covered by it). The message is saved with its
 *       Message-ID kept.</li>
 *   <li>Alarm ({@link Alarms}) for the deciding finding when it is not {@code allow}, rate-limited per rule.</li>
 * </ol>
 * Parameters common to every rule mailet ({@link #PARAMETERS}):
 * <ul>
 *   <li>{@code denyMessage}: template with {@code %(reason)%}, {@code %(filename)%}, {@code %(virus)%},
 *       {@code %(type)%}, {@code %(action)%}, {@code %(recovery)%}; first line may be {@code Subject: ...} or
 *       {@code Content-Type: text/html} ({@link DenyMessageTemplate}). Default: {@link DenyMessageTemplate#DEFAULT}
 *       for replaced parts, the standard deny notice for denied messages.</li>
 *   <li>{@code quarantineRepository}: mail repository URL or path, default {@value Quarantine#DEFAULT_PATH} with the
 *       server's default protocol ({@link Quarantine}, which also shows the WebAdmin recovery commands).</li>
 *   <li>{@code alarm}: {@code true} (default) or {@code false}: structured WARN event on logger {@code org.jamesproxy.alarm}.</li>
 *   <li>{@code notifyPostmaster}: {@code false} (default) or {@code true}: also mail the postmaster.</li>
 *   <li>{@code alarmsPerMinute}: rate limit of alarms per rule, 1..10000, default 5.</li>
 * </ul>
 * Thread-safe: one instance per mailet, shared by every message.
 */
public class FindingsExecutor {
    private static final Logger LOGGER = LoggerFactory.getLogger(FindingsExecutor.class);

    public static final String DENY_MESSAGE = DenyMessageTemplate.PARAMETER;
    public static final String QUARANTINE_REPOSITORY = Quarantine.PARAMETER;
    public static final String ALARM = "alarm";
    public static final String NOTIFY_POSTMASTER = "notifyPostmaster";
    public static final String ALARMS_PER_MINUTE = "alarmsPerMinute";
    static final int DEFAULT_ALARMS_PER_MINUTE = 5;

    /** Parameters common to every rule mailet. */
    public static final Set<String> PARAMETERS = ImmutableSet.of(DENY_MESSAGE, QUARANTINE_REPOSITORY, ALARM, NOTIFY_POSTMASTER,
        ALARMS_PER_MINUTE);

    private final String rule;
    private final DenyMessageTemplate template;
    private final Quarantine quarantine;
    private final Optional<Alarms> alarms;
    private final MailetContext context;
    private final Optional<MailRepositoryStore> repositoryStore;
    private final Clock clock;

    private FindingsExecutor(String rule, DenyMessageTemplate template, Quarantine quarantine, Optional<Alarms> alarms,
                             MailetContext context, Optional<MailRepositoryStore> repositoryStore, Clock clock) {
        this.rule = rule;
        this.template = template;
        this.quarantine = quarantine;
        this.alarms = alarms;
        this.context = context;
        this.repositoryStore = repositoryStore;
        this.clock = clock;
    }

    /** Without a repository store: quarantine findings then fail (and the policy's onError applies). */
    public static FindingsExecutor fromConfig(MailetConfig config) throws MessagingException {
        return fromConfig(config, Optional.empty(), Clock.systemDefaultZone());
    }

    public static FindingsExecutor fromConfig(MailetConfig config, Optional<MailRepositoryStore> repositoryStore, Clock clock)
        throws MessagingException {
        String rule = config.getMailetName();
        try {
            DenyMessageTemplate template = DenyMessageTemplate.parse(rule, Optional.ofNullable(config.getInitParameter(DENY_MESSAGE)));
            Quarantine quarantine = Quarantine.parse(rule, Optional.ofNullable(config.getInitParameter(QUARANTINE_REPOSITORY)));
            MailetParameters parameters = new MailetParameters(config);
            boolean alarm = parameters.bool(ALARM, true);
            boolean notify = parameters.bool(NOTIFY_POSTMASTER, false);
            int perMinute = parameters.integer(ALARMS_PER_MINUTE, DEFAULT_ALARMS_PER_MINUTE, 1, 10_000);
            Optional<Alarms> alarms = alarm || notify ? Optional.of(new Alarms(rule, alarm, notify, perMinute, clock)) : Optional.empty();
            return new FindingsExecutor(rule, template, quarantine, alarms, config.getMailetContext(), repositoryStore, clock);
        } catch (IllegalArgumentException e) {
            throw new MailetException(e.getMessage(), e);
        }
    }

    /** As {@link #apply(Mail, List, RuleAction)} with {@code deny} for a part that cannot be rewritten. */
    public void apply(Mail mail, List<Finding> findings) throws MessagingException {
        apply(mail, findings, RuleAction.DENY);
    }

    /**
     * @param onUnscannable the rule's action for unreadable content; when a part to strip cannot be rewritten (its
     *                      MIME does not parse the way the rule's scanner read it), the message gets an
     *                      {@code UNSCANNABLE} verdict with this action, and at least {@code deny}: what had to be
     *                      removed is still in it
     */
    public void apply(Mail mail, List<Finding> findings, RuleAction onUnscannable) throws MessagingException {
        Finding worst = findings.stream()
            .max(Comparator.comparing(Finding::getAction))
            .orElseThrow(() -> new IllegalArgumentException("no finding"));
        RuleAction action = worst.getAction();
        Finding decided = worst;
        switch (action) {
            case ALLOW:
                return;
            case STRIP:
            case QUARANTINE:
                try {
                    replaceParts(mail, findings);
                } catch (PartRewriteException e) {
                    // The message may be half rewritten; the verdict keeps it from being passed on.
                    RuleAction fallback = onUnscannable.compareTo(RuleAction.DENY) > 0 ? onUnscannable : RuleAction.DENY;
                    decided = UnscannableFindings.notStripped(rule, fallback, worst, e);
                    setVerdict(mail, decided);
                }
                break;
            default:
                setVerdict(mail, worst);
        }
        Finding raised = decided;
        alarms.ifPresent(alarm -> alarm.raise(mail, raised, raised.getAction(), context));
    }

    /** A part could not be replaced: the message's MIME did not parse for the rewrite. */
    private static final class PartRewriteException extends Exception {
        private PartRewriteException(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    private void setVerdict(Mail mail, Finding worst) {
        mail.setAttribute(new Attribute(ProxyMailAttributes.VERDICT, AttributeValue.of(worst.getAction().value())));
        mail.setAttribute(new Attribute(ProxyMailAttributes.VERDICT_REASON, AttributeValue.of(worst.getReason())));
        if (template.isConfigured()) {
            mail.setAttribute(new Attribute(ProxyMailAttributes.VERDICT_MESSAGE,
                AttributeValue.of(template.render(worst, worst.getAction(), Optional.empty()))));
        } else {
            mail.removeAttribute(ProxyMailAttributes.VERDICT_MESSAGE);
        }
    }

    private void replaceParts(Mail mail, List<Finding> findings) throws MessagingException, PartRewriteException {
        Optional<String> recovery = Optional.empty();
        if (findings.stream().anyMatch(finding -> finding.getAction() == RuleAction.QUARANTINE)) {
            recovery = Optional.of(quarantine.store(mail, repositoryStore));
            LOGGER.info("Rule {}: original quarantined in {} with recovery id {}", rule, quarantine.describe(), recovery.get());
        }
        Optional<Finding> wholeMessage = findings.stream()
            .filter(finding -> finding.getAction() == RuleAction.QUARANTINE && finding.getPart().isRoot())
            .findFirst();
        if (wholeMessage.isPresent()) {
            replaceMessage(mail, wholeMessage.get(), recovery);
            return;
        }
        MimeMessage message = mail.getMessage();
        try {
            for (Finding finding : outermost(findings)) {
                Optional<String> partRecovery = finding.getAction() == RuleAction.QUARANTINE ? recovery : Optional.empty();
                DenyText text = DenyText.parse(template.render(finding, finding.getAction(), partRecovery));
                MimeParts.replace(message, finding.getPart(), text);
                LOGGER.debug("Rule {}: part {} {}", rule, finding.getPart(), DenyMessageTemplate.pastTense(finding.getAction()));
            }
            MimeParts.saveKeepingMessageId(message);
        } catch (IOException | MessagingException | RuntimeException e) {
            throw new PartRewriteException(e);
        }
    }

    /** The strip/quarantine findings, one per part, without parts inside another one being replaced. */
    private static List<Finding> outermost(List<Finding> findings) {
        List<Finding> candidates = findings.stream()
            .filter(finding -> finding.getAction() == RuleAction.STRIP || finding.getAction() == RuleAction.QUARANTINE)
            // quarantine first, so that when both act on one part the text carries the recovery id
            .sorted(Comparator.comparing((Finding finding) -> finding.getPart().getIndexes().size())
                .thenComparing(Finding::getAction, Comparator.reverseOrder()))
            .toList();
        List<Finding> kept = new ArrayList<>();
        for (Finding candidate : candidates) {
            boolean covered = kept.stream().anyMatch(outer -> isPrefix(outer.getPart(), candidate.getPart()));
            if (!covered) {
                kept.add(candidate);
            }
        }
        return kept;
    }

    private static boolean isPrefix(PartPath outer, PartPath inner) {
        List<Integer> o = outer.getIndexes();
        List<Integer> i = inner.getIndexes();
        return o.size() <= i.size() && i.subList(0, o.size()).equals(o);
    }

    private void replaceMessage(Mail mail, Finding finding, Optional<String> recovery) throws MessagingException {
        DenyText text = DenyText.parse(template.render(finding, RuleAction.QUARANTINE, recovery));
        byte[] notice = DenyNotice.render(headerSection(mail.getMessage()), finding.getReason(), Optional.of(text),
            ZonedDateTime.now(clock));
        mail.setMessage(new MimeMessage(null, new java.io.ByteArrayInputStream(notice)));
    }

    /** Only the header section: all the notice reads of the original. */
    private static byte[] headerSection(MimeMessage message) throws MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Enumeration<String> lines = message.getAllHeaderLines();
        while (lines.hasMoreElements()) {
            out.writeBytes(lines.nextElement().getBytes(StandardCharsets.UTF_8));
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        out.writeBytes(new byte[] {'\r', '\n'});
        return out.toByteArray();
    }
}
