package org.jamesproxy.mailet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetException;
import org.jamesproxy.engine.EngineEndpoint;
import org.jamesproxy.engine.RawMessage;
import org.jamesproxy.engine.spamassassin.SpamdClient;
import org.jamesproxy.engine.rspamd.RspamdClient;
import org.jamesproxy.engine.rspamd.RspamdResult;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.inspection.ProxyMailAttributes;
import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.InspectionRuleMailet;
import org.jamesproxy.mailet.action.MailetParameters;
import org.jamesproxy.mailet.action.RuleAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * Asks SpamAssassin's {@code spamd} (SPAMC/1.5 over TCP) whether a message is spam, records the score as headers and
 * attributes, and acts per protocol. The protocol comes from the mail attribute {@code org.jamesproxy.protocol} set
 * by a proxy action; without it (James's own {@code mailetcontainer.xml}) the SMTP rules apply.
 *
 * <h2>Parameters</h2>
 * <ul>
 *   <li>{@code engine} ({@code spamd}): {@code spamd} (SPAMC/1.5) or {@code rspamd} (HTTP {@code POST /checkv2} to its
 *       normal worker, with the envelope sender, recipients and client address). With rspamd, its own action decides
 *       unless {@code threshold} is set: {@code reject} is spam ({@code spamAction}); {@code add header} and
 *       {@code rewrite subject} are spam but at most tagged; {@code soft reject} is a temporary failure for SMTP (451)
 *       and passes for IMAP/POP3; {@code greylist} and {@code no action} are ham (greylisting needs rspamd's Redis
 *       state and a retrying sender, which a proxy in front of a mailbox does not have).</li>
 *   <li>{@code host} (127.0.0.1), {@code port} (783, rspamd 11333), {@code connectTimeout} (5s), {@code timeout} (30s).</li>
 *   <li>{@code maxScanSize} (512K): bigger messages are not sent to spamd (it is slow on them and spam is small);
 *       they are logged, get no spam headers and the attribute {@code skipped}.</li>
 *   <li>{@code threshold} (optional): score from which a message is spam; default: spamd's own verdict
 *       ({@code required_score} of its configuration).</li>
 *   <li>{@code spamAction} (tag): SMTP and James's container: allow, tag, quarantine (lock), deny (SMTP 554), drop.</li>
 *   <li>{@code imapSpamAction}, {@code pop3SpamAction}: only allow or tag (a downloaded message is already in the
 *       mailbox: refusing it would hide mail, not stop it); any other value fails init. Default: {@code spamAction}
 *       when that is allow or tag, else tag.</li>
 *   <li>{@code subjectTag} ([SPAM]): put in front of the subject by {@code tag} (once: not again if already there).</li>
 *   <li>{@code onEngineFailure} (allow): spamd down, timeout, error: allow (fail open, as spam filtering is advisory
 *       and should not hold mail back) or tempfail (SMTP 451; the sender retries). IMAP/POP3 always allow.</li>
 *   <li>{@code user} (optional): the {@code User} sent to spamd, for per-user settings.</li>
 *   <li>{@code addHeaders} (true): {@value #SCORE_HEADER}, {@value #STATUS_HEADER} (SpamAssassin style:
 *       {@code Yes, score=1000.0 required=5.0 tests=GTUBE,...}) and {@value #FLAG_HEADER}{@code : YES} for spam,
 *       replacing whatever the sender put in those headers.</li>
 * </ul>
 * A message without a body (what the IMAP proxy inspects for a header-only fetch) is left alone.
 * Attributes: {@value #STATUS_ATTRIBUTE_NAME} = spam, ham, skipped or failed; {@value #SCORE_ATTRIBUTE_NAME} = the score.
 * Example:
 * <pre>
 * &lt;mailet match="All" class="org.jamesproxy.mailet.SpamCheck"&gt;
 *   &lt;host&gt;127.0.0.1&lt;/host&gt;&lt;port&gt;783&lt;/port&gt;&lt;spamAction&gt;deny&lt;/spamAction&gt;
 *   &lt;imapSpamAction&gt;tag&lt;/imapSpamAction&gt;&lt;subjectTag&gt;[SPAM]&lt;/subjectTag&gt;
 * &lt;/mailet&gt;
 * </pre>
 * Metrics: timer {@value #CHECK_TIMER}; counters {@value #SPAM_METRIC}, {@value #SKIPPED_METRIC}, {@value #FAILED_METRIC}.
 */
public class SpamCheck extends InspectionRuleMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(SpamCheck.class);

    public static final String SCORE_HEADER = "X-Spam-Score";
    public static final String STATUS_HEADER = "X-Spam-Status";
    public static final String FLAG_HEADER = "X-Spam-Flag";
    public static final String STATUS_ATTRIBUTE_NAME = "org.jamesproxy.spam.status";
    public static final String SCORE_ATTRIBUTE_NAME = "org.jamesproxy.spam.score";
    public static final AttributeName STATUS_ATTRIBUTE = AttributeName.of(STATUS_ATTRIBUTE_NAME);
    public static final AttributeName SCORE_ATTRIBUTE = AttributeName.of(SCORE_ATTRIBUTE_NAME);
    public static final String CHECK_TIMER = "spam-check";
    public static final String SPAM_METRIC = "spam-found";
    public static final String SKIPPED_METRIC = "spam-check-skipped";
    public static final String FAILED_METRIC = "spam-check-engine-failure";

    static final String FAILURE_REASON = "spam checker unavailable, try again later";
    private static final Set<String> PARAMETERS = ImmutableSet.of("host", "port", "connectTimeout", "timeout",
        "maxScanSize", "threshold", "spamAction", "imapSpamAction", "pop3SpamAction", "subjectTag", "onEngineFailure",
        "user", "addHeaders", "engine");

    /** What to do with spam; {@link #TAG} is not a {@link RuleAction}: it edits the subject and lets the mail through. */
    enum SpamAction {
        ALLOW(Optional.empty()), TAG(Optional.empty()), QUARANTINE(Optional.of(RuleAction.QUARANTINE)),
        DENY(Optional.of(RuleAction.DENY)), DROP(Optional.of(RuleAction.DROP));

        private final Optional<RuleAction> ruleAction;

        SpamAction(Optional<RuleAction> ruleAction) {
            this.ruleAction = ruleAction;
        }

        static Optional<SpamAction> parse(String value) {
            String normalized = value.trim().toLowerCase(Locale.US);
            if (normalized.equals("lock")) {
                return Optional.of(QUARANTINE);
            }
            for (SpamAction action : values()) {
                if (action.name().toLowerCase(Locale.US).equals(normalized)) {
                    return Optional.of(action);
                }
            }
            return Optional.empty();
        }
    }

    private final Optional<MetricFactory> metricFactory;
    private SpamdClient client;
    private SpamEngine engine;
    private long maxScanSize;
    private Optional<Double> threshold;
    private SpamAction smtpAction;
    private SpamAction imapAction;
    private SpamAction pop3Action;
    private String subjectTag;
    private RuleAction onEngineFailure;
    private Optional<String> user;
    private boolean addHeaders;

    public SpamCheck() {
        this.metricFactory = Optional.empty();
    }

    @Inject
    public SpamCheck(MetricFactory metricFactory) {
        this.metricFactory = Optional.of(metricFactory);
    }

    @Override
    protected Set<String> ruleParameters() {
        return PARAMETERS;
    }

    @Override
    protected void initRule() throws MessagingException {
        MailetParameters parameters = new MailetParameters(getMailetConfig());
        Optional<String> configuredEngine = parameters.string("engine");
        String engineName = configuredEngine.isEmpty() ? "spamd" : SpamEngine.parseName(configuredEngine.get())
            .orElseThrow(() -> parameters.invalid("engine", configuredEngine.get(), "expected spamd or rspamd"));
        if (engineName.equals("rspamd")) {
            engine = SpamEngine.rspamd(new RspamdClient(EngineEndpoint.fromParameters(parameters, "127.0.0.1", 11333,
                Duration.ofSeconds(5), Duration.ofSeconds(30))));
        } else {
            client = new SpamdClient(EngineEndpoint.fromParameters(parameters, "127.0.0.1", 783, Duration.ofSeconds(5),
                Duration.ofSeconds(30)));
            engine = SpamEngine.spamd(client);
        }
        maxScanSize = Math.min(parameters.size("maxScanSize", 512 * 1024), Integer.MAX_VALUE - 8);
        threshold = parameters.decimal("threshold");
        smtpAction = spamAction(parameters, "spamAction", SpamAction.TAG, false);
        SpamAction downloadDefault = smtpAction == SpamAction.ALLOW ? SpamAction.ALLOW : SpamAction.TAG;
        imapAction = spamAction(parameters, "imapSpamAction", downloadDefault, true);
        pop3Action = spamAction(parameters, "pop3SpamAction", downloadDefault, true);
        subjectTag = parameters.string("subjectTag").orElse("[SPAM]");
        if (subjectTag.chars().anyMatch(c -> c < ' ' || c == 0x7F)) {
            throw parameters.invalid("subjectTag", subjectTag, "control characters are not allowed");
        }
        onEngineFailure = parameters.action("onEngineFailure", RuleAction.ALLOW,
            ImmutableSet.of(RuleAction.ALLOW, RuleAction.TEMPFAIL));
        user = parameters.string("user");
        if (user.isPresent() && !SpamdClient.VALID_USER.matcher(user.get()).matches()) {
            throw parameters.invalid("user", user.get(), "letters, digits and . _ @ + = - only");
        }
        addHeaders = parameters.bool("addHeaders", true);
    }

    private static SpamAction spamAction(MailetParameters parameters, String name, SpamAction defaultAction, boolean download)
        throws MailetException {
        Optional<String> value = parameters.string(name);
        if (value.isEmpty()) {
            return defaultAction;
        }
        SpamAction action = SpamAction.parse(value.get())
            .orElseThrow(() -> parameters.invalid(name, value.get(), "expected one of allow, tag, quarantine, deny, drop"));
        if (download && action != SpamAction.ALLOW && action != SpamAction.TAG) {
            throw parameters.invalid(name, value.get(), "IMAP and POP3 can only 'allow' or 'tag' spam: a downloaded "
                + "message is already in the mailbox (use spamAction for SMTP)");
        }
        return action;
    }

    @VisibleForTesting
    SpamdClient client() {
        return client;
    }

    @Override
    protected List<Finding> findings(Mail mail) throws MessagingException {
        TimeMetric timer = metricFactory.map(factory -> factory.timer(CHECK_TIMER)).orElse(null);
        try {
            return check(mail);
        } finally {
            if (timer != null) {
                timer.stopAndPublish();
            }
        }
    }

    private List<Finding> check(Mail mail) throws MessagingException {
        Optional<Protocol> protocol = protocol(mail);
        MimeMessage message = mail.getMessage();
        if (RawMessage.hasEmptyBody(message)) {
            // An IMAP header-only fetch: scoring the header alone would disagree with the full message's score.
            return ImmutableList.of();
        }
        Optional<Bounded> bytes = serialize(message);
        if (bytes.isEmpty()) {
            LOGGER.info("Mail {} not checked for spam: larger than maxScanSize ({} bytes)", mail.getName(), maxScanSize);
            increment(SKIPPED_METRIC);
            mail.setAttribute(new Attribute(STATUS_ATTRIBUTE, AttributeValue.of("skipped")));
            return ImmutableList.of();
        }
        SpamEngine.Verdict result = engine.check(bytes.get().buffer(), bytes.get().size(), mail, user);
        if (result.error.isPresent()) {
            return failed(mail, protocol, result.error.get());
        }
        // rspamd's own action decides unless a threshold is set (then the score does, as for spamd).
        Optional<RspamdResult.Action> rspamdAction = threshold.isPresent() ? Optional.empty() : result.rspamdAction;
        if (rspamdAction.filter(action -> action == RspamdResult.Action.SOFT_REJECT).isPresent()) {
            return softReject(mail, protocol, result);
        }
        boolean spam = threshold.map(required -> result.score >= required).orElse(result.spam);
        double required = threshold.orElse(result.required);
        mail.setAttribute(new Attribute(STATUS_ATTRIBUTE, AttributeValue.of(spam ? "spam" : "ham")));
        mail.setAttribute(new Attribute(SCORE_ATTRIBUTE, AttributeValue.of(format(result.score))));
        if (addHeaders) {
            addHeaders(message, spam, result.score, required, result.symbols, rspamdAction);
        }
        if (!spam) {
            return ImmutableList.of();
        }
        increment(SPAM_METRIC);
        SpamAction action = actionFor(protocol);
        if (rspamdAction.filter(chosen -> chosen != RspamdResult.Action.REJECT).isPresent() && action.compareTo(SpamAction.TAG) > 0) {
            // rspamd said "add header" / "rewrite subject", not "reject": mark it, do not refuse it.
            action = SpamAction.TAG;
        }
        LOGGER.info("Mail {} is spam for {} (score {}, required {}{}): {}", mail.getName(), engine.name(), format(result.score),
            format(required), rspamdAction.map(chosen -> ", action " + chosen.word()).orElse(""), action.name().toLowerCase(Locale.US));
        if (action == SpamAction.TAG) {
            tagSubject(message);
        }
        return action.ruleAction
            .map(ruleAction -> ImmutableList.of(Finding.builder(Finding.Category.SPAM, ruleAction,
                "message classified as spam (score " + format(result.score) + ", required " + format(required) + ")").build()))
            .orElse(ImmutableList.of());
    }

    /**
     * rspamd's {@code soft reject} (e.g. a rate limit): SMTP gets a temporary failure, so the sender retries; a
     * retrieved message is already in the mailbox and passes.
     */
    private List<Finding> softReject(Mail mail, Optional<Protocol> protocol, SpamEngine.Verdict result) {
        mail.setAttribute(new Attribute(STATUS_ATTRIBUTE, AttributeValue.of("deferred")));
        mail.setAttribute(new Attribute(SCORE_ATTRIBUTE, AttributeValue.of(format(result.score))));
        if (protocol.filter(Protocol::isRetrieval).isPresent()) {
            return ImmutableList.of();
        }
        LOGGER.info("Mail {}: rspamd soft reject (score {}): tempfail", mail.getName(), format(result.score));
        return ImmutableList.of(Finding.builder(Finding.Category.SPAM, RuleAction.TEMPFAIL,
            "message deferred by the spam checker, try again later").build());
    }

    private List<Finding> failed(Mail mail, Optional<Protocol> protocol, String reason) {
        increment(FAILED_METRIC);
        mail.setAttribute(new Attribute(STATUS_ATTRIBUTE, AttributeValue.of("failed")));
        // A retrieved message is already in the mailbox: holding it back would hide mail, not stop it.
        RuleAction action = protocol.filter(Protocol::isRetrieval).isPresent() ? RuleAction.ALLOW : onEngineFailure;
        LOGGER.warn("Spam check of mail {} failed: {}; action {}", mail.getName(), reason, action.value());
        if (action == RuleAction.ALLOW) {
            return ImmutableList.of();
        }
        return ImmutableList.of(Finding.builder(Finding.Category.ENGINE_FAILURE, action, FAILURE_REASON).build());
    }

    /** The per-protocol parameters of a retrieval; every submission (and James's own container) uses spamAction. */
    private SpamAction actionFor(Optional<Protocol> protocol) {
        if (protocol.isEmpty() || !protocol.get().isRetrieval()) {
            return smtpAction;
        }
        return protocol.get() == Protocol.POP3 ? pop3Action : imapAction;
    }

    private static Optional<Protocol> protocol(Mail mail) {
        return mail.getAttribute(ProxyMailAttributes.PROTOCOL)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .map(String::valueOf)
            .flatMap(value -> {
                try {
                    return Optional.of(Protocol.valueOf(value.toUpperCase(Locale.US)));
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
            });
    }

    private void addHeaders(MimeMessage message, boolean spam, double score, double required, List<String> symbols,
                            Optional<RspamdResult.Action> rspamdAction) throws MessagingException {
        String status = (spam ? "Yes" : "No") + ", score=" + format(score) + " required=" + format(required)
            + rspamdAction.map(action -> " action=" + action.word().replace(' ', '_')).orElse("")
            + (symbols.isEmpty() ? "" : " tests=" + String.join(",", symbols));
        AntivirusScan.setHeaderIfDifferent(message, SCORE_HEADER, format(score));
        AntivirusScan.setHeaderIfDifferent(message, STATUS_HEADER, MimeUtility.fold(STATUS_HEADER.length() + 2, status));
        if (spam) {
            AntivirusScan.setHeaderIfDifferent(message, FLAG_HEADER, "YES");
        } else if (message.getHeader(FLAG_HEADER) != null) {
            message.removeHeader(FLAG_HEADER);
        }
    }

    /** Changes only the Subject field (in place: the other fields keep their order and bytes). */
    private void tagSubject(MimeMessage message) throws MessagingException {
        String subject = Optional.ofNullable(message.getSubject()).orElse("");
        if (subject.startsWith(subjectTag)) {
            return;
        }
        message.setSubject(subject.isEmpty() ? subjectTag : subjectTag + " " + subject, "UTF-8");
    }

    private static String format(double score) {
        return String.format(Locale.US, "%.1f", score);
    }

    private void increment(String metric) {
        metricFactory.ifPresent(factory -> factory.generate(metric).increment());
    }

    /** The message bytes, when they fit in maxScanSize; the buffer grows with the message, never beyond the limit. */
    private Optional<Bounded> serialize(MimeMessage message) throws MessagingException {
        Bounded out = new Bounded(maxScanSize);
        try {
            RawMessage.writeTo(message, out);
        } catch (Bounded.TooLarge e) {
            return Optional.empty();
        } catch (IOException e) {
            if (out.tooLarge) {
                return Optional.empty();
            }
            throw new MessagingException("cannot read the message to check it for spam", e);
        }
        return Optional.of(out);
    }

    private static final class Bounded extends OutputStream {
        private static final class TooLarge extends IOException {
            TooLarge() {
                super("message larger than maxScanSize");
            }
        }

        /** Gives its array out: spamd needs the length before the bytes, and the bytes need no second copy. */
        private static final class Buffer extends ByteArrayOutputStream {
            Buffer() {
                super(8192);
            }

            byte[] array() {
                return buf;
            }
        }

        private final Buffer buffer = new Buffer();
        private final long limit;
        private boolean tooLarge;

        Bounded(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (tooLarge || buffer.size() + (long) length > limit) {
                tooLarge = true;
                throw new TooLarge();
            }
            buffer.write(bytes, offset, length);
        }

        byte[] buffer() {
            return buffer.array();
        }

        int size() {
            return buffer.size();
        }
    }

    @Override
    public String getMailetInfo() {
        return "SpamCheck: scores the message with SpamAssassin's spamd or rspamd";
    }
}
